/*
 * cli/cmd_history.c - `deltalake history TABLE [--limit N] [--format F]`:
 * the table's commits, newest first (dlk_table_history).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "deltalake/deltalake.h"
#include "json_rows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *json_or_null(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void rfc3339_ms(int64_t ms, char *out, size_t n)
{
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

int cli_cmd_history(int argc, char **argv)
{
    const char *table = NULL, *limit = NULL, *format = NULL;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("history")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--limit", &limit)) ||
            (r = cli_opt_value(argc, argv, &i, "--format", &format))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("history", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("history", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("history", "TABLE is required");
    cli_format fmt = CLI_FMT_TABLE;
    if (format && !cli_parse_format("history", format, &fmt)) return CLI_USAGE;
    long long n = 0;
    if (limit) {
        char *end;
        errno = 0;
        n = strtoll(limit, &end, 10);
        if (errno || end == limit || *end || n < 1)
            return cli_usage_error("history", "--limit needs a positive integer, got '%s'", limit);
    }
    dlk_history *h = NULL;
    if (dlk_table_history(table, n, &h)) return cli_fail("history");
    json_t *rows = json_array();
    for (size_t i = 0; i < dlk_history_count(h); i++) {
        const dlk_history_entry *e = dlk_history_get(h, i);
        char ts[96]; /* wide enough for any int year gmtime_r can give */
        rfc3339_ms(e->timestamp_ms, ts, sizeof ts);
        json_t *o = json_object();
        json_object_set_new(o, "version", json_integer(e->version));
        json_object_set_new(o, "timestamp", json_string(ts));
        json_object_set_new(o, "timestamp_ms", json_integer(e->timestamp_ms));
        json_object_set_new(o, "operation", str_or_null(e->operation));
        json_object_set_new(o, "user", str_or_null(e->user));
        json_object_set_new(o, "engine", str_or_null(e->engine));
        json_object_set_new(o, "read_version",
                            e->read_version >= 0 ? json_integer(e->read_version) : json_null());
        json_object_set_new(o, "records_added",
                            e->records_added >= 0 ? json_integer(e->records_added) : json_null());
        json_object_set_new(o, "records_removed",
                            e->records_removed >= 0 ? json_integer(e->records_removed)
                                                    : json_null());
        json_object_set_new(o, "blind_append", json_boolean(e->blind_append));
        json_object_set_new(o, "parameters", json_or_null(e->parameters_json));
        json_object_set_new(o, "metrics", json_or_null(e->metrics_json));
        json_array_append_new(rows, o);
    }
    dlk_history_free(&h);
    static const char *const table_cols[] = {"version",   "timestamp",     "operation",
                                             "user",      "records_added", "records_removed",
                                             "parameters"};
    static const char *const all_cols[] = {
        "version",       "timestamp",       "operation",    "user",       "engine", "read_version",
        "records_added", "records_removed", "blind_append", "parameters", "metrics"};
    int rc = fmt == CLI_FMT_TABLE ? cli_json_rows_print(stdout, fmt, rows, table_cols, 7)
                                  : cli_json_rows_print(stdout, fmt, rows, all_cols, 11);
    json_decref(rows);
    return rc ? CLI_ERROR : CLI_OK;
}
