/* cli/cmd_delete.c - `deltalake delete TABLE --where PREDICATE [--hard]
 * [--soft] [--enable-dv] [--partition P] [--format F]`: deletes rows
 * (deletion vectors when the table has the feature, else rewrites) and
 * prints the counts. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <string.h>

int cli_cmd_delete(int argc, char **argv)
{
    const char *table = NULL, *where = NULL, *part = NULL, *fmt_s = NULL;
    bool hard = false, soft = false, enable = false, all = false;
    int rc;
    for (int i = 1; i < argc;) {
        if ((rc = cli_opt_value(argc, argv, &i, "--where", &where)) ||
            (rc = cli_opt_value(argc, argv, &i, "--partition", &part)) ||
            (rc = cli_opt_value(argc, argv, &i, "--format", &fmt_s))) {
            if (rc < 0) return CLI_USAGE;
        } else if (cli_opt_flag(argv, &i, "--hard", &hard) ||
                   cli_opt_flag(argv, &i, "--soft", &soft) ||
                   cli_opt_flag(argv, &i, "--enable-dv", &enable) ||
                   cli_opt_flag(argv, &i, "--all", &all)) {
            continue;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        } else if (!table) {
            table = argv[i++];
        } else {
            return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        }
    }
    if (!table) return cli_usage_error(argv[0], "TABLE is required");
    if (!where && !part && !all)
        return cli_usage_error(
            argv[0], "--where PREDICATE is required (or --partition P, or --all for every row)");
    if (hard && soft) return cli_usage_error(argv[0], "--hard and --soft exclude each other");
    cli_format fmt = CLI_FMT_JSONL;
    if (fmt_s && !cli_parse_format(argv[0], fmt_s, &fmt)) return CLI_USAGE;
    dlk_delete_options o = DLK_DELETE_OPTIONS_INIT;
    o.predicate = where;
    o.partition_path = part;
    o.mode = hard ? DLK_DML_HARD : soft ? DLK_DML_SOFT : DLK_DML_AUTO;
    o.enable_dv = enable;
    dlk_delete_result r;
    if (dlk_table_delete(table, &o, &r)) return cli_fail(argv[0]);
    static const char *const names[] = {"version",       "rows_deleted",  "files_scanned",
                                        "files_skipped", "files_removed", "files_rewritten",
                                        "files_added",   "dvs_written",   "attempts"};
    int64_t v[] = {r.version,       r.rows_deleted,  r.files_scanned,
                   r.files_skipped, r.files_removed, r.files_rewritten,
                   r.files_added,   r.dvs_written,   r.attempts};
    return cli_print_counts(argv[0], fmt, names, v, sizeof v / sizeof v[0]);
}
