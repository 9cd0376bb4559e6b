/* cli/cmd_update.c - `deltalake update TABLE --set 'col = expr[, ...]'
 * [--where PREDICATE] [--partition P] [--hard|--soft] [--enable-dv]
 * [--format F]`: rewrites the matching rows and prints the counts. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <string.h>

int cli_cmd_update(int argc, char **argv)
{
    const char *table = NULL, *set = NULL, *where = NULL, *part = NULL, *fmt_s = NULL;
    bool hard = false, soft = false, enable = false;
    int rc;
    for (int i = 1; i < argc;) {
        if ((rc = cli_opt_value(argc, argv, &i, "--set", &set)) ||
            (rc = cli_opt_value(argc, argv, &i, "--where", &where)) ||
            (rc = cli_opt_value(argc, argv, &i, "--partition", &part)) ||
            (rc = cli_opt_value(argc, argv, &i, "--format", &fmt_s))) {
            if (rc < 0) return CLI_USAGE;
        } else if (cli_opt_flag(argv, &i, "--hard", &hard) ||
                   cli_opt_flag(argv, &i, "--soft", &soft) ||
                   cli_opt_flag(argv, &i, "--enable-dv", &enable)) {
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
    if (!set) return cli_usage_error(argv[0], "--set 'col = expr' is required");
    if (hard && soft) return cli_usage_error(argv[0], "--hard and --soft exclude each other");
    cli_format fmt = CLI_FMT_JSONL;
    if (fmt_s && !cli_parse_format(argv[0], fmt_s, &fmt)) return CLI_USAGE;
    dlk_update_options o = DLK_UPDATE_OPTIONS_INIT;
    o.set = set;
    o.predicate = where;
    o.partition_path = part;
    o.mode = hard ? DLK_DML_HARD : soft ? DLK_DML_SOFT : DLK_DML_AUTO;
    o.enable_dv = enable;
    dlk_update_result r;
    if (dlk_table_update(table, &o, &r)) return cli_fail(argv[0]);
    static const char *const names[] = {"version",       "rows_updated",  "files_scanned",
                                        "files_skipped", "files_removed", "files_added",
                                        "dvs_written",   "attempts"};
    int64_t v[] = {r.version,       r.rows_updated, r.files_scanned, r.files_skipped,
                   r.files_removed, r.files_added,  r.dvs_written,   r.attempts};
    return cli_print_counts(argv[0], fmt, names, v, sizeof v / sizeof v[0]);
}
