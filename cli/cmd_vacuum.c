/*
 * cli/cmd_vacuum.c - `deltalake vacuum TABLE [--retention-hours N]
 * [--dry-run] [--force] [--format F]`: delete files no version within the
 * retention references (dlk_table_vacuum). Prints the paths deleted (or to
 * delete with --dry-run), then a summary line on stderr; jsonl/json/csv
 * give {"path": ...} rows.
 */
#include "cli.h"
#include "output.h"
#include "deltalake/deltalake.h"
#include "json_rows.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_vacuum(int argc, char **argv)
{
    const char *table = NULL, *hours = NULL, *format = NULL;
    dlk_vacuum_options o = DLK_VACUUM_OPTIONS_INIT;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("vacuum")->usage, stdout);
            return CLI_OK;
        }
        if (cli_opt_flag(argv, &i, "--dry-run", &o.dry_run) ||
            cli_opt_flag(argv, &i, "--force", &o.force))
            continue;
        if ((r = cli_opt_value(argc, argv, &i, "--retention-hours", &hours)) ||
            (r = cli_opt_value(argc, argv, &i, "--format", &format))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("vacuum", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("vacuum", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("vacuum", "TABLE is required");
    cli_format fmt = CLI_FMT_TABLE;
    if (format && !cli_parse_format("vacuum", format, &fmt)) return CLI_USAGE;
    if (hours) {
        char *end;
        errno = 0;
        double h = strtod(hours, &end);
        if (errno || end == hours || *end || h < 0 || !isfinite(h))
            return cli_usage_error(
                "vacuum", "--retention-hours needs a non-negative number, got '%s'", hours);
        o.retention_hours = h;
    }
    dlk_vacuum_result r;
    if (dlk_table_vacuum(table, &o, &r)) return cli_fail("vacuum");
    int rc = 0;
    if (fmt == CLI_FMT_TABLE) {
        for (size_t i = 0; i < r.n_paths; i++)
            printf("%s\n", r.paths[i]);
    } else {
        json_t *rows = json_array();
        for (size_t i = 0; i < r.n_paths; i++)
            json_array_append_new(rows, json_pack("{s:s}", "path", r.paths[i]));
        static const char *const cols[] = {"path"};
        rc = cli_json_rows_print(stdout, fmt, rows, cols, 1);
        json_decref(rows);
    }
    char human[32];
    cli_human_bytes(r.bytes_freed, human, sizeof human);
    if (o.dry_run)
        fprintf(stderr, "vacuum (dry run): %zu files would be deleted (%s, %lld bytes)\n",
                r.n_paths, human, (long long)r.bytes_freed);
    else
        fprintf(stderr, "vacuum: %lld files deleted (%s, %lld bytes)\n", (long long)r.files_deleted,
                human, (long long)r.bytes_freed);
    dlk_vacuum_result_clear(&r);
    return rc ? CLI_ERROR : CLI_OK;
}
