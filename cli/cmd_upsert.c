/* cli/cmd_upsert.c - `deltalake upsert TABLE --key COL[,COL] [--input FILE|-]
 * [--dedup] [--partition P] [--hard|--soft] [--enable-dv]
 * [--input-format ndjson|csv] [--format F]`: MERGE the records by key and
 * print the counts. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_upsert(int argc, char **argv)
{
    const char *table = NULL, *key = NULL, *input = NULL, *part = NULL, *fmt_s = NULL, *ifmt = NULL,
               *ts_unit = NULL;
    bool dedup = false, hard = false, soft = false, enable = false, lenient = false;
    int rc;
    for (int i = 1; i < argc;) {
        if ((rc = cli_opt_value(argc, argv, &i, "--key", &key)) ||
            (rc = cli_opt_value(argc, argv, &i, "--input-format", &ifmt)) ||
            (rc = cli_opt_value(argc, argv, &i, "--input", &input)) ||
            (rc = cli_opt_value(argc, argv, &i, "--partition", &part)) ||
            (rc = cli_opt_value(argc, argv, &i, "--format", &fmt_s)) ||
            (rc = cli_opt_value(argc, argv, &i, "--timestamp-unit", &ts_unit))) {
            if (rc < 0) return CLI_USAGE;
        } else if (cli_opt_flag(argv, &i, "--dedup", &dedup) ||
                   cli_opt_flag(argv, &i, "--hard", &hard) ||
                   cli_opt_flag(argv, &i, "--soft", &soft) ||
                   cli_opt_flag(argv, &i, "--enable-dv", &enable) ||
                   cli_opt_flag(argv, &i, "--ignore-unknown", &lenient)) {
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
    if (!key || !*key) return cli_usage_error(argv[0], "--key COL[,COL] is required");
    if (hard && soft) return cli_usage_error(argv[0], "--hard and --soft exclude each other");
    cli_format fmt = CLI_FMT_JSONL;
    if (fmt_s && !cli_parse_format(argv[0], fmt_s, &fmt)) return CLI_USAGE;
    dlk_upsert_options o = DLK_UPSERT_OPTIONS_INIT;
    if (!ifmt && input) ifmt = cli_format_from_extension(input);
    if (ifmt && !strcmp(ifmt, "parquet") && input)
        return cli_usage_error(argv[0], "upsert reads NDJSON or CSV; '%s' looks like Parquet",
                               input);
    if (ts_unit && !cli_parse_timestamp_unit(argv[0], ts_unit, &o.timestamp_unit)) return CLI_USAGE;
    if (ifmt) {
        if (!strcmp(ifmt, "ndjson") || !strcmp(ifmt, "jsonl") || !strcmp(ifmt, "json"))
            o.input_format = DLK_INPUT_NDJSON;
        else if (!strcmp(ifmt, "csv"))
            o.input_format = DLK_INPUT_CSV;
        else
            return cli_usage_error(argv[0], "--input-format must be ndjson or csv, got '%s'", ifmt);
    }
    /* split the key list */
    char *keys = strdup(key);
    const char *cols[64];
    size_t nk = 0;
    for (char *save = NULL, *t = strtok_r(keys, ",", &save); t && nk < 64;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t l = strlen(t);
        while (l && t[l - 1] == ' ')
            t[--l] = 0;
        if (*t) cols[nk++] = t;
    }
    if (!nk) {
        free(keys);
        return cli_usage_error(argv[0], "--key names no column");
    }
    o.key_cols = cols;
    o.n_key_cols = nk;
    o.dedup = dedup;
    o.partition_path = part;
    o.mode = hard ? DLK_DML_HARD : soft ? DLK_DML_SOFT : DLK_DML_AUTO;
    o.enable_dv = enable;
    o.strict = !lenient;
    FILE *in = stdin;
    if (!input) cli_note_stdin(argv[0]);
    if (input && strcmp(input, "-")) {
        in = fopen(input, "rb");
        if (!in) {
            fprintf(stderr, "deltalake %s: IO: %s: %s\n", argv[0], input, strerror(errno));
            free(keys);
            return CLI_ERROR;
        }
    }
    dlk_upsert_result r;
    rc = dlk_table_upsert_file(table, in, &o, &r);
    if (in != stdin) fclose(in);
    free(keys);
    if (rc) return cli_fail(argv[0]);
    static const char *const names[] = {"version",       "rows_upserted", "rows_updated",
                                        "rows_inserted", "files_scanned", "files_skipped",
                                        "files_added",   "files_removed", "files_rewritten",
                                        "dvs_written",   "attempts"};
    int64_t v[] = {r.version,         r.rows_upserted, r.rows_updated, r.rows_inserted,
                   r.files_scanned,   r.files_skipped, r.files_added,  r.files_removed,
                   r.files_rewritten, r.dvs_written,   r.attempts};
    return cli_print_counts(argv[0], fmt, names, v, sizeof v / sizeof v[0]);
}
