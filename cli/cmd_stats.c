/*
 * cli/cmd_stats.c - `deltalake stats TABLE [--version N] [--format F]`: size,
 * file, partition, record and small-file counts, files per partition
 * (dlk_table_stats_json).
 */
#include "cli.h"
#include "output.h"
#include "deltalake/deltalake.h"
#include "json_rows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_stats(int argc, char **argv)
{
    const char *table = NULL, *version = NULL, *format = NULL;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("stats")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--version", &version)) ||
            (r = cli_opt_value(argc, argv, &i, "--format", &format))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("stats", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("stats", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("stats", "TABLE is required");
    cli_format fmt = CLI_FMT_TABLE;
    if (format && !cli_parse_format("stats", format, &fmt)) return CLI_USAGE;
    long long v = -1;
    if (version) {
        char *end;
        errno = 0;
        v = strtoll(version, &end, 10);
        if (errno || end == version || *end || v < 0)
            return cli_usage_error("stats", "--version needs a non-negative integer, got '%s'",
                                   version);
    }
    char *js = NULL;
    if (dlk_table_stats_json(table, v, &js)) return cli_fail("stats");
    json_t *o = json_loads(js, 0, NULL);
    dlk_string_free(js);
    if (!o) {
        fprintf(stderr, "deltalake stats: internal error: bad JSON\n");
        return CLI_ERROR;
    }
    int rc = 0;
    if (fmt == CLI_FMT_JSON || fmt == CLI_FMT_JSONL) {
        char *s = json_dumps(o, JSON_COMPACT);
        if (s) printf("%s\n", s);
        free(s);
    } else if (fmt == CLI_FMT_CSV) {
        /* one row per partition */
        static const char *const cols[] = {"partition", "files", "bytes", "records"};
        rc = cli_json_rows_print(stdout, fmt, json_object_get(o, "partitions"), cols, 4);
    } else {
        static const char *const keys[] = {
            "version",         "file_count",       "record_count",         "total_bytes",
            "partition_count", "small_file_count", "small_file_threshold", "min_file_bytes",
            "max_file_bytes",  "deleted_rows"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            long long v = (long long)json_integer_value(json_object_get(o, keys[i]));
            char human[32];
            if (cli_is_bytes_column(keys[i]) || !strcmp(keys[i], "total_bytes")) {
                cli_human_bytes(v, human, sizeof human);
                printf("%-21s %s\n", keys[i], human);
            } else
                printf("%-21s %lld\n", keys[i], v);
        }
        json_t *parts = json_object_get(o, "partitions");
        if (json_integer_value(json_object_get(o, "partition_count")) > 0) {
            printf("\n");
            static const char *const cols[] = {"partition", "files", "bytes", "records"};
            rc = cli_json_rows_print(stdout, fmt, parts, cols, 4);
        }
    }
    json_decref(o);
    return rc ? CLI_ERROR : CLI_OK;
}
