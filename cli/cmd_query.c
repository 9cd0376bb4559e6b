/*
 * cli/cmd_query.c - `deltalake query TABLE [--select a,b] [--version N |
 * --as-of TS] [--limit N] [--format table|jsonl|csv|json]
 * [--where PREDICATE] [--order-by KEYS] [--explain] [--count]`: scan a
 * snapshot and print its rows (--count: only how many match, from add stats
 * when there is no predicate). (--where / --explain are added on top of the scan's
 * filter hooks, dlk_scan_options.file_filter / row_filter.)
 */
#include "cli.h"
#include "output.h"
#include "deltalake/arrow_json.h"
#include "deltalake/deltalake.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int split_cols(const char *s, char ***out, size_t *n)
{
    size_t cap = 1;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    char **v = calloc(cap, sizeof *v);
    if (!v) return -1;
    *n = 0;
    const char *start = s;
    for (const char *c = s;; c++) {
        if (*c == ',' || !*c) {
            const char *b = start, *e = c;
            while (b < e && (*b == ' ' || *b == '\t'))
                b++;
            while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if (e > b) {
                v[*n] = strndup(b, (size_t)(e - b));
                if (!v[*n]) return -1;
                (*n)++;
            }
            if (!*c) break;
            start = c + 1;
        }
    }
    *out = v;
    return 0;
}

/* --explain: the predicate and what the scan skipped / read, one JSON object. */
static void print_explain(const struct ArrowArrayStream *stream, const dlk_where *w, FILE *out)
{
    dlk_scan_stats st;
    dlk_scan_get_stats(stream, &st);
    dlk_where_stats ws = {0};
    dlk_where_get_stats(w, &ws);
    fputs("{\"predicate\":", out);
    const char *pt = w ? dlk_expr_to_string(dlk_where_expr(w)) : NULL;
    if (pt) {
        fputc('"', out);
        for (const char *c = pt; *c; c++) {
            if (*c == '"' || *c == '\\') fputc('\\', out);
            fputc(*c, out);
        }
        fputc('"', out);
    } else {
        fputs("null", out);
    }
    fprintf(out,
            ",\"files_total\":%lld,\"files_skipped\":%lld,\"files_skipped_by_partition\":%lld,"
            "\"files_skipped_by_stats\":%lld,\"files_without_stats\":%lld,\"files_read\":%lld,"
            "\"row_groups_total\":%lld,\"row_groups_skipped\":%lld,\"row_groups_read\":%lld,"
            "\"rows_skipped_by_row_groups\":%lld,"
            "\"rows_read\":%lld,\"rows_deleted\":%lld,\"rows_filtered\":%lld,"
            "\"rows_returned\":%lld}\n",
            (long long)st.files_total, (long long)st.files_skipped,
            (long long)ws.files_skipped_partition, (long long)ws.files_skipped_stats,
            (long long)ws.files_without_stats, (long long)st.files_read,
            (long long)st.row_groups_total, (long long)st.row_groups_skipped,
            (long long)st.row_groups_read, (long long)st.rows_skipped, (long long)st.rows_read,
            (long long)st.rows_deleted, (long long)(ws.rows_in - ws.rows_kept),
            (long long)st.rows_returned);
}

int cli_cmd_query(int argc, char **argv)
{
    const char *table = NULL, *version = NULL, *asof = NULL, *limit = NULL, *format = NULL,
               *select = NULL, *where = NULL, *order_by = NULL;
    bool explain = false, count = false;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("query")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--version", &version)) ||
            (r = cli_opt_value(argc, argv, &i, "--as-of", &asof)) ||
            (r = cli_opt_value(argc, argv, &i, "--limit", &limit)) ||
            (r = cli_opt_value(argc, argv, &i, "--format", &format)) ||
            (r = cli_opt_value(argc, argv, &i, "--select", &select)) ||
            (r = cli_opt_value(argc, argv, &i, "--where", &where)) ||
            (r = cli_opt_value(argc, argv, &i, "--order-by", &order_by))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (cli_opt_flag(argv, &i, "--explain", &explain) ||
            cli_opt_flag(argv, &i, "--count", &count))
            continue;
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("query", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("query", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("query", "TABLE is required");
    if (version && asof)
        return cli_usage_error("query", "--version and --as-of exclude each other");
    if (count && (select || order_by || limit || explain))
        return cli_usage_error("query",
                               "--count goes with --where, --version, --as-of and --format only");
    cli_format fmt = CLI_FMT_TABLE;
    if (format && !cli_parse_format("query", format, &fmt)) return CLI_USAGE;
    long long v = -1, lim = -1;
    char *end;
    if (version) {
        errno = 0;
        v = strtoll(version, &end, 10);
        if (errno || end == version || *end || v < 0)
            return cli_usage_error("query", "--version needs a non-negative integer, got '%s'",
                                   version);
    }
    if (limit) {
        errno = 0;
        lim = strtoll(limit, &end, 10);
        if (errno || end == limit || *end || lim < 0)
            return cli_usage_error("query", "--limit needs a non-negative integer, got '%s'",
                                   limit);
    }
    char **cols = NULL;
    size_t ncols = 0;
    if (select && split_cols(select, &cols, &ncols))
        return cli_usage_error("query", "out of memory");
    int rc = CLI_OK;
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    struct ArrowArrayStream stream = {0};
    struct ArrowSchema sc = {0};
    cli_out *out = NULL;
    dlk_where *w = NULL;
    dlk_scan_options opts = DLK_SCAN_OPTIONS_INIT;
    opts.columns = (const char *const *)cols;
    opts.n_columns = ncols;
    opts.limit = lim;
    opts.order_by = order_by;
    if (dlk_table_open(table, &t) ||
        (asof ? dlk_table_snapshot_at_text(t, asof, &s) : dlk_table_snapshot(t, v, &s)) ||
        (where && dlk_where_new(s, where, &w))) {
        rc = cli_fail("query");
        goto done;
    }
    if (count) {
        int64_t n = 0;
        if (dlk_where_count(s, w, &n, NULL))
            rc = cli_fail("query");
        else if (fmt == CLI_FMT_JSONL)
            printf("{\"count\":%lld}\n", (long long)n);
        else if (fmt == CLI_FMT_JSON)
            printf("[\n{\"count\":%lld}\n]\n", (long long)n);
        else
            printf("count\n%lld\n", (long long)n);
        goto done;
    }
    if (w) dlk_where_apply(w, &opts); /* file skipping + row filter hooks */
    if (dlk_scan_open(s, &opts, &stream)) {
        rc = cli_fail("query");
        goto done;
    }
    if (stream.get_schema(&stream, &sc)) {
        rc = cli_fail("query");
        goto done;
    }
    if (!explain && cli_out_begin(&out, stdout, fmt, &sc)) {
        rc = cli_fail("query");
        goto done;
    }
    for (;;) {
        struct ArrowArray a;
        if (stream.get_next(&stream, &a)) {
            fflush(stdout);
            if (dlk_error_last()->code != DLK_OK) { /* the scan's status (CORRUPT, IO, ...) */
                rc = cli_fail("query");
            } else {
                fprintf(stderr, "deltalake query: %s\n", stream.get_last_error(&stream));
                rc = CLI_ERROR;
            }
            break;
        }
        if (!a.release) break;
        int pr = explain ? 0 : cli_out_batch(out, &a);
        a.release(&a);
        if (pr) {
            rc = cli_fail("query");
            break;
        }
    }
    if (out && rc == CLI_OK)
        rc = cli_out_end(out) ? cli_fail("query") : CLI_OK;
    else
        cli_out_abort(out);
    out = NULL;
    if (rc == CLI_OK && explain) print_explain(&stream, w, stdout);
done:
    cli_out_abort(out);
    if (sc.release) sc.release(&sc);
    if (stream.release) stream.release(&stream);
    dlk_where_free(&w);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    for (size_t i = 0; i < ncols; i++)
        free(cols[i]);
    free(cols);
    return rc;
}
