/* cli/cmd_write.c - `deltalake write TABLE [--mode append|overwrite]
 * [--input FILE|-] [--input-format ndjson|csv|parquet] [--merge-schema]`
 * plus --replace-where, --app-id/--app-version, --target-file-size,
 * --batch-rows, --threads. Prints the commit as one JSON object. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_ll(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

int cli_cmd_write(int argc, char **argv)
{
    const char *table = NULL, *mode = NULL, *input = NULL, *fmt = NULL, *where = NULL, *app = NULL;
    const char *appv = NULL, *target = NULL, *batch = NULL, *threads = NULL, *ts_unit = NULL;
    bool merge = false, lenient = false;
    int rc;
    for (int i = 1; i < argc;) {
        if ((rc = cli_opt_value(argc, argv, &i, "--mode", &mode)) ||
            (rc = cli_opt_value(argc, argv, &i, "--input-format", &fmt)) ||
            (rc = cli_opt_value(argc, argv, &i, "--input", &input)) ||
            (rc = cli_opt_value(argc, argv, &i, "--replace-where", &where)) ||
            (rc = cli_opt_value(argc, argv, &i, "--app-id", &app)) ||
            (rc = cli_opt_value(argc, argv, &i, "--app-version", &appv)) ||
            (rc = cli_opt_value(argc, argv, &i, "--target-file-size", &target)) ||
            (rc = cli_opt_value(argc, argv, &i, "--batch-rows", &batch)) ||
            (rc = cli_opt_value(argc, argv, &i, "--threads", &threads)) ||
            (rc = cli_opt_value(argc, argv, &i, "--timestamp-unit", &ts_unit))) {
            if (rc < 0) return CLI_USAGE;
        } else if (!strcmp(argv[i], "--merge-schema")) {
            merge = true;
            i++;
        } else if (!strcmp(argv[i], "--ignore-unknown")) {
            lenient = true;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        } else if (!table) {
            table = argv[i++];
        } else {
            return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        }
    }
    if (!table) return cli_usage_error(argv[0], "TABLE is required");
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    if (mode) {
        if (!strcmp(mode, "append"))
            o.mode = DLK_WRITE_APPEND;
        else if (!strcmp(mode, "overwrite"))
            o.mode = DLK_WRITE_OVERWRITE;
        else
            return cli_usage_error(argv[0], "--mode must be append or overwrite, got '%s'", mode);
    }
    if (!fmt && input) fmt = cli_format_from_extension(input);
    if (ts_unit && !cli_parse_timestamp_unit(argv[0], ts_unit, &o.timestamp_unit)) return CLI_USAGE;
    if (fmt) {
        if (!strcmp(fmt, "ndjson") || !strcmp(fmt, "jsonl") || !strcmp(fmt, "json"))
            o.input_format = DLK_INPUT_NDJSON;
        else if (!strcmp(fmt, "csv"))
            o.input_format = DLK_INPUT_CSV;
        else if (!strcmp(fmt, "parquet"))
            o.input_format = DLK_INPUT_PARQUET;
        else
            return cli_usage_error(argv[0],
                                   "--input-format must be ndjson, csv or parquet, got '%s'", fmt);
    }
    long long n;
    if (where) {
        if (o.mode != DLK_WRITE_OVERWRITE)
            return cli_usage_error(argv[0], "--replace-where needs --mode overwrite");
        o.replace_where = where;
    }
    if (app) {
        if (!appv || !parse_ll(appv, &n) || n < 0)
            return cli_usage_error(argv[0], "--app-id needs --app-version N (N >= 0)");
        o.app_id = app;
        o.app_version = n;
    } else if (appv) {
        return cli_usage_error(argv[0], "--app-version needs --app-id");
    }
    if (target) {
        if (!parse_ll(target, &n) || n <= 0)
            return cli_usage_error(argv[0],
                                   "--target-file-size must be a positive number of bytes");
        o.target_file_size = (uint64_t)n;
    }
    if (batch) {
        if (!parse_ll(batch, &n) || n <= 0)
            return cli_usage_error(argv[0], "--batch-rows must be positive");
        o.batch_rows = (size_t)n;
    }
    if (threads) {
        if (!parse_ll(threads, &n) || n < 1 || n > 64)
            return cli_usage_error(argv[0], "--threads must be 1..64");
        o.threads = (int)n;
    }
    o.merge_schema = merge;
    o.strict = !lenient && !merge;
    FILE *in = stdin;
    if (!input) cli_note_stdin(argv[0]);
    if (input && strcmp(input, "-")) {
        in = fopen(input, "rb");
        if (!in) {
            fprintf(stderr, "deltalake %s: IO: %s: %s\n", argv[0], input, strerror(errno));
            return CLI_ERROR;
        }
    }
    dlk_write_result r;
    rc = dlk_table_write_file(table, in, &o, &r);
    if (in != stdin) fclose(in);
    if (rc) return cli_fail(argv[0]);
    if (r.skipped && !r.rows_written && !app)
        fprintf(stderr, "deltalake %s: the input holds no records; nothing committed\n", argv[0]);
    printf("{\"version\":%lld,\"skipped\":%s,\"files_added\":%lld,\"files_removed\":%lld,"
           "\"rows_written\":%lld,\"bytes_written\":%lld,\"attempts\":%d,\"checkpoint_version\":%"
           "lld}\n",
           (long long)r.version, r.skipped ? "true" : "false", (long long)r.files_added,
           (long long)r.files_removed, (long long)r.rows_written, (long long)r.bytes_written,
           r.attempts, (long long)r.checkpoint_version);
    return CLI_OK;
}
