/*
 * examples/quickstart.c - the `make run` demo.
 *
 * Generates realistic OpenTelemetry spans, creates a table partitioned by
 * service_name and date under ./demo-data (configured from TOML text),
 * bulk-inserts them with a progress bar, upserts and deletes spans, queries
 * with a filter, time-travels, optimizes, vacuums (dry run) and prints
 * history, statistics and operation latencies as tables. Every run starts
 * from a fresh table, so running it again works.
 *
 *     quickstart [DIR] [SPANS]     (default ./demo-data, 20000 spans)
 *
 * Steps whose layer (DML, maintenance) is not built into the library are
 * reported as skipped.
 */
#include "deltalake/deltalake.h"
#include "spans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SEED 2024

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "quickstart: %s failed: %s (%s)\n", what, e->message, dlk_status_name(e->code));
    return 1;
}

static void step(int n, const char *what)
{
    printf("\n== %d. %s\n", n, what);
}

static bool skipped(int rc, const char *what)
{
    if (rc != DLK_UNSUPPORTED) return false;
    printf("   [skipped %s: %s]\n", what, dlk_error_last()->message);
    dlk_error_clear();
    return true;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A progress bar on a terminal; on a pipe only the final line. */
static void progress(const char *label, long done, long total, double t0)
{
    bool tty = isatty(STDOUT_FILENO);
    if (!tty && done < total) return;
    int width = 30, fill = total ? (int)(width * done / total) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    double s = (now_ms() - t0) / 1000.0;
    printf("%s   %-8s [%s] %6ld/%ld  %5.1f s  %8.0f rows/s%s", tty ? "\r" : "", label, bar, done,
           total, s, s > 0 ? done / s : 0.0, done == total ? "\n" : "");
    fflush(stdout);
}

static void human_bytes(int64_t b, char *out, size_t n)
{
    if (b >= 1 << 20)
        snprintf(out, n, "%.1f MiB", b / 1048576.0);
    else if (b >= 1024)
        snprintf(out, n, "%.1f KiB", b / 1024.0);
    else
        snprintf(out, n, "%lld B", (long long)b);
}

/* Rows of a query (records freed by the caller). */
static int run_query(dlk_table_handle *t, const char *filter, const char *const *cols, size_t ncols,
                     int64_t version, const char *order, int64_t limit, dlk_records **out)
{
    dlk_query *q = NULL;
    int rc = dlk_query_new(t, &q);
    if (!rc && filter) rc = dlk_query_filter(q, filter);
    if (!rc && ncols) rc = dlk_query_select(q, cols, ncols);
    if (!rc && version >= 0) rc = dlk_query_version(q, version);
    if (!rc && order) rc = dlk_query_order_by(q, order, true);
    if (!rc && limit >= 0) rc = dlk_query_limit(q, limit);
    if (!rc) rc = dlk_query_execute(q, out);
    dlk_query_free(&q);
    return rc;
}

static int64_t count_rows(dlk_table_handle *t, const char *filter, int64_t version)
{
    const char *cols[] = {"span_id"};
    dlk_records *r = NULL;
    if (run_query(t, filter, cols, 1, version, NULL, -1, &r)) return -1;
    int64_t n = (int64_t)dlk_records_count(r);
    dlk_records_free(&r);
    return n;
}

/* Print records as an aligned table (values as JSON text, strings unquoted). */
static void print_table(const dlk_records *r)
{
    size_t nc = dlk_records_column_count(r), nr = dlk_records_count(r);
    size_t w[16] = {0};
    if (nc > 16) nc = 16;
    char **cells = calloc(nr * nc + 1, sizeof *cells);
    for (size_t c = 0; c < nc; c++)
        w[c] = strlen(dlk_records_column_name(r, c));
    for (size_t i = 0; i < nr; i++)
        for (size_t c = 0; c < nc; c++) {
            char *v = NULL;
            dlk_records_get(r, i, dlk_records_column_name(r, c), &v);
            size_t l = v ? strlen(v) : 0;
            if (l >= 2 && v[0] == '"') { /* unquote strings for people */
                memmove(v, v + 1, l - 2);
                v[l - 2] = 0;
                l -= 2;
            }
            cells[i * nc + c] = v;
            if (l > w[c]) w[c] = l;
        }
    printf("   ");
    for (size_t c = 0; c < nc; c++)
        printf("%s%-*s", c ? " | " : "", (int)w[c], dlk_records_column_name(r, c));
    printf("\n   ");
    for (size_t c = 0; c < nc; c++) {
        printf("%s", c ? "-+-" : "");
        for (size_t k = 0; k < w[c]; k++)
            putchar('-');
    }
    printf("\n");
    for (size_t i = 0; i < nr; i++) {
        printf("   ");
        for (size_t c = 0; c < nc; c++)
            printf("%s%-*s", c ? " | " : "", (int)w[c], cells[i * nc + c] ? cells[i * nc + c] : "");
        printf("\n");
    }
    for (size_t i = 0; i < nr * nc; i++)
        dlk_string_free(cells[i]);
    free(cells);
}

static const char *TOML = "[deltalake]\n"
                          "compression = \"SNAPPY\"\n"
                          "retention_hours = 168\n"
                          "batch_size = 5000\n"
                          "\n"
                          "[deltalake.table]\n"
                          "name = \"otel_spans\"\n"
                          "partition_columns = [\"service_name\", \"date\"]\n"
                          "partition_strategy = \"value\"\n"
                          "\n"
                          "[deltalake.operations]\n"
                          "upsert_enabled = true\n"
                          "delete_enabled = true\n"
                          "bulk_insert_enabled = true\n"
                          "\n"
                          "[deltalake.schema]\n"
                          "strict_mode = true\n"
                          "allow_nullable = true\n"
                          "\n"
                          "[deltalake.storage]\n"
                          "file_size_target = 134217728\n"
                          "file_size_min = 1048576\n";

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "./demo-data";
    long n_spans = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    if (n_spans < 100) n_spans = 100;
    const long batch = n_spans / 10;
    char path[1024];
    snprintf(path, sizeof path, "%s/spans", dir);
    printf("deltalake-connector %s quickstart: %ld OpenTelemetry spans into %s\n", dlk_version(),
           n_spans, path);

    step(1, "configure (deltalake.toml) and connect");
    dlk_config cfg;
    dlk_config_init(&cfg);
    if (dlk_config_load_toml_string(TOML, strlen(TOML), "deltalake.toml", &cfg))
        return fail("config");
    if (dlk_config_set_table_path(&cfg, path)) return fail("config");
    dlk_connector *conn = NULL;
    if (dlk_connector_new(&cfg, &conn)) return fail("connector");
    dlk_config_free(&cfg);
    printf("   compression %s, partitions by %s + %s, target file size %lld MiB\n",
           dlk_compression_name(dlk_connector_config(conn)->compression),
           dlk_connector_config(conn)->partition_columns[0],
           dlk_connector_config(conn)->partition_columns[1],
           (long long)(dlk_connector_config(conn)->file_size_target >> 20));

    dlk_table_handle *t = NULL;
    if (dlk_connector_get_table(conn, NULL, &t) == DLK_OK) {
        dlk_table_handle_free(&t);
        if (dlk_connector_delete_table(conn, NULL)) return fail("delete the previous demo table");
        printf("   removed the demo table of an earlier run\n");
    }

    step(2, "create the table");
    dlk_schema_builder *b = NULL;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "trace_id", "string", false);
    dlk_schema_builder_add(b, "span_id", "string", false);
    dlk_schema_builder_add(b, "parent_span_id", "string", true);
    dlk_schema_builder_add(b, "service_name", "string", false);
    dlk_schema_builder_add(b, "operation_name", "string", true);
    dlk_schema_builder_add_type(b, "start_time", DLK_TYPE_TIMESTAMP, true);
    dlk_schema_builder_add(b, "date", "string", false);
    dlk_schema_builder_add_type(b, "duration_ms", DLK_TYPE_DOUBLE, true);
    dlk_schema_builder_add_type(b, "status_code", DLK_TYPE_INT, true);
    dlk_schema_builder_add_map(b, "attributes", "string", "string", true, true);
    struct ArrowSchema schema;
    if (dlk_schema_builder_finish(b, &schema)) return fail("schema");
    dlk_schema_builder_free(&b);
    if (dlk_connector_get_or_create_table(conn, NULL, &schema, &t)) return fail("create table");
    schema.release(&schema);
    printf("   created %s (%s) with 10 columns\n", dlk_table_handle_name(t),
           dlk_table_handle_location(t));

    step(3, "bulk insert");
    double t0 = now_ms();
    long done = 0;
    for (long first = 0; first < n_spans; first += batch) {
        long n = first + batch > n_spans ? n_spans - first : batch;
        size_t len = 0;
        char *text = spans_ndjson(SEED, first, n, &len);
        int64_t ins = 0;
        if (!text || dlk_table_handle_bulk_insert(t, text, len, NULL, &ins))
            return fail("bulk insert");
        free(text);
        done += (long)ins;
        progress("insert", done, n_spans, t0);
    }
    printf("   inserted %ld spans in %d commits\n", done, (int)((n_spans + batch - 1) / batch));

    step(4, "upsert: 100 spans fixed (status 200), 20 new spans");
    {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        for (long i = 0; i < 100; i++)
            span_append(&buf, &len, &cap, SEED, i * 7, 200);
        for (long i = n_spans; i < n_spans + 20; i++)
            span_append(&buf, &len, &cap, SEED, i, 0);
        const char *key[] = {"span_id"};
        dlk_upsert_result ur;
        double u0 = now_ms();
        int rc = dlk_table_handle_upsert(t, buf, len, key, 1, true, NULL, &ur);
        free(buf);
        if (!skipped(rc, "upsert")) {
            if (rc) return fail("upsert");
            printf("   upserted %lld spans: %lld updated, %lld inserted (version %lld, %.0f ms)\n",
                   (long long)ur.rows_upserted, (long long)ur.rows_updated,
                   (long long)ur.rows_inserted, (long long)ur.version, now_ms() - u0);
        }
    }

    step(5, "delete spans with status_code >= 500 (soft delete: deletion vectors)");
    int64_t errors_before = count_rows(t, "status_code >= 500", -1);
    int64_t deleted = 0;
    int rc = dlk_table_handle_delete(t, "status_code >= 500", NULL, DLK_DML_SOFT, &deleted);
    if (!skipped(rc, "delete")) {
        if (rc) return fail("delete");
        printf("   deleted %lld spans (%lld matched before)\n", (long long)deleted,
               (long long)errors_before);
    }

    step(6, "query: service_name = 'checkout' AND duration_ms > 250 (5 slowest)");
    {
        const char *cols[] = {"span_id", "operation_name", "start_time", "duration_ms",
                              "status_code"};
        dlk_records *r = NULL;
        if (run_query(t, "service_name = 'checkout' AND duration_ms > 250", cols, 5, -1,
                      "duration_ms", 5, &r))
            return fail("query");
        printf("   %lld matching spans; query took %.1f ms\n",
               (long long)count_rows(t, "service_name = 'checkout' AND duration_ms > 250", -1),
               dlk_records_elapsed_ms(r));
        print_table(r);
        dlk_records_free(&r);
    }

    step(7, "time travel");
    int64_t v1 = count_rows(t, NULL, 1), now = count_rows(t, NULL, -1);
    dlk_table_metadata md;
    if (dlk_table_handle_metadata(t, -1, &md)) return fail("metadata");
    printf("   version 1: %lld spans; latest (version %lld): %lld spans\n", (long long)v1,
           (long long)md.version, (long long)now);
    int64_t latest_before_optimize = md.version;
    dlk_table_metadata_clear(&md);

    step(8, "optimize (bin-pack small files)");
    int64_t removed = 0, added = 0;
    double o0 = now_ms();
    rc = dlk_table_handle_optimize(t, NULL, NULL, 0, &removed, &added);
    if (!skipped(rc, "optimize")) {
        if (rc) return fail("optimize");
        printf("   compacted %lld files into %lld (%.0f ms)\n", (long long)removed,
               (long long)added, now_ms() - o0);
        int64_t after = count_rows(t, NULL, -1);
        printf("   rows after optimize: %lld (%s)\n", (long long)after,
               after == now ? "unchanged" : "CHANGED!");
    }

    step(9, "vacuum (dry run, retention 0 hours)");
    int64_t would = 0;
    rc = dlk_table_handle_vacuum(t, 0, true, &would);
    if (!skipped(rc, "vacuum")) {
        if (rc) return fail("vacuum");
        printf("   %lld unreferenced files would be deleted (nothing deleted: dry run)\n",
               (long long)would);
    }

    step(10, "history");
    dlk_history *h = NULL;
    rc = dlk_table_handle_history(t, 0, &h);
    if (!skipped(rc, "history")) {
        if (rc) return fail("history");
        printf("   %-7s | %-19s | %-14s | %10s | %10s\n", "version", "timestamp (UTC)", "operation",
               "rows added", "rows removed");
        printf("   --------+---------------------+----------------+------------+-------------\n");
        for (size_t i = 0; i < dlk_history_count(h); i++) {
            const dlk_history_entry *e = dlk_history_get(h, i);
            time_t s = (time_t)(e->timestamp_ms / 1000);
            struct tm tmv;
            gmtime_r(&s, &tmv);
            char ts[32], a[24] = "-", r[24] = "-";
            strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tmv);
            if (e->records_added >= 0) snprintf(a, sizeof a, "%lld", (long long)e->records_added);
            if (e->records_removed >= 0)
                snprintf(r, sizeof r, "%lld", (long long)e->records_removed);
            printf("   %-7lld | %-19s | %-14s | %10s | %10s\n", (long long)e->version, ts,
                   e->operation ? e->operation : "?", a, r);
        }
        dlk_history_free(&h);
    }

    step(11, "statistics");
    dlk_table_stats st;
    rc = dlk_table_handle_stats(t, -1, &st);
    if (!skipped(rc, "statistics")) {
        if (rc) return fail("statistics");
        char sz[32];
        human_bytes(st.total_bytes, sz, sizeof sz);
        printf("   %-16s | %s\n", "metric", "value");
        printf("   -----------------+----------\n");
        printf("   %-16s | %lld\n", "version", (long long)st.version);
        printf("   %-16s | %lld\n", "records", (long long)st.record_count);
        printf("   %-16s | %lld\n", "data files", (long long)st.file_count);
        printf("   %-16s | %lld\n", "partitions", (long long)st.partition_count);
        printf("   %-16s | %lld\n", "small files", (long long)st.small_file_count);
        printf("   %-16s | %s\n", "total size", sz);
    }
    const char *op_names[] = {"write", "upsert",   "delete", "update",
                              "query", "optimize", "vacuum", "restore"};
    bool header = false;
    for (int k = DLK_OP_WRITE; k <= DLK_OP_RESTORE; k++) {
        dlk_op_metrics m;
        if (dlk_table_handle_op_metrics(t, (dlk_op_kind)k, &m) || m.count == 0) {
            dlk_error_clear();
            continue;
        }
        if (!header) {
            printf("\n   %-9s | %5s | %8s | %8s | %8s\n", "operation", "count", "p50 ms", "p95 ms",
                   "max ms");
            printf("   ----------+-------+----------+----------+---------\n");
            header = true;
        }
        printf("   %-9s | %5lld | %8.1f | %8.1f | %8.1f\n", op_names[k], (long long)m.count,
               m.p50_ms, m.p95_ms, m.max_ms);
    }

    printf("\nfinal: %lld spans at version %lld (before maintenance); table at %s\n",
           (long long)now, (long long)latest_before_optimize, dlk_table_handle_location(t));
    printf("try: build/deltalake query %s --where \"status_code = 404\" --limit 5\n",
           dlk_table_handle_location(t));
    dlk_table_handle_free(&t);
    dlk_connector_free(&conn);
    return 0;
}
