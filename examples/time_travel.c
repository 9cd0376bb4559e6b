/*
 * examples/time_travel.c - bulk insert 1000 generated spans in four commits,
 * query the table as it was at an earlier version and at an earlier
 * timestamp, and print the history.
 *
 *     time_travel [DIR]      (default ./example-data; the table is DIR/tt_spans)
 */
#include "deltalake/deltalake.h"
#include "spans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "time_travel: %s: %s (%s)\n", what, e->message, dlk_status_name(e->code));
    return 1;
}

/* Rows matching filter (NULL: all) at a version (-1: latest) or as of a timestamp. */
static int count(dlk_table_handle *t, int64_t version, const char *as_of, const char *filter,
                 size_t *n, int64_t *v)
{
    dlk_query *q = NULL;
    dlk_query_new(t, &q);
    if (version >= 0) dlk_query_version(q, version);
    if (as_of) dlk_query_as_of(q, as_of);
    if (filter) dlk_query_filter(q, filter);
    const char *cols[] = {"span_id"};
    dlk_query_select(q, cols, 1);
    dlk_records *r = NULL;
    int rc = dlk_query_execute(q, &r);
    if (!rc) {
        *n = dlk_records_count(r);
        if (v) *v = dlk_records_version(r);
    }
    dlk_records_free(&r);
    dlk_query_free(&q);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "./example-data";
    char path[1024];
    snprintf(path, sizeof path, "%s/tt_spans", dir);
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, path);
    const char *parts[] = {"service_name"};
    dlk_config_set_partition_columns(&cfg, parts, 1);
    dlk_connector *conn = NULL;
    if (dlk_connector_new(&cfg, &conn)) return fail("connector");
    dlk_config_free(&cfg);
    dlk_table_handle *t = NULL;
    if (dlk_connector_get_table(conn, NULL, &t) == DLK_OK) {
        dlk_table_handle_free(&t);
        if (dlk_connector_delete_table(conn, NULL)) return fail("delete old table");
    }
    struct ArrowSchema schema;
    if (dlk_schema_parse(
            "trace_id string not null, span_id string not null, parent_span_id string, "
            "service_name string not null, operation_name string, start_time timestamp, date "
            "string, "
            "duration_ms double, status_code int, attributes map<string,string>",
            &schema))
        return fail("schema");
    if (dlk_connector_get_or_create_table(conn, NULL, &schema, &t)) return fail("create");
    schema.release(&schema);
    printf("created %s\n", dlk_table_handle_location(t));

    /* 1000 spans in four commits of 250 (versions 1..4) */
    long total = 0;
    for (int batch = 0; batch < 4; batch++) {
        size_t len = 0;
        char *text = spans_ndjson(42, batch * 250L, 250, &len);
        int64_t n = 0;
        if (!text || dlk_table_handle_bulk_insert(t, text, len, NULL, &n))
            return fail("bulk insert");
        free(text);
        total += (long)n;
        printf("version %d: inserted %lld spans (total %ld)\n", batch + 1, (long long)n, total);
        struct timespec ts = {0, 30 * 1000 * 1000}; /* commits 30 ms apart: distinct timestamps */
        nanosleep(&ts, NULL);
    }

    size_t n_now = 0, n_v2 = 0, err_now = 0, err_v2 = 0;
    int64_t v = -1;
    if (count(t, -1, NULL, NULL, &n_now, &v) ||
        count(t, -1, NULL, "status_code = 500", &err_now, NULL))
        return fail("query latest");
    printf("latest (version %lld): %zu spans, %zu with status 500\n", (long long)v, n_now, err_now);
    if (count(t, 2, NULL, NULL, &n_v2, NULL) ||
        count(t, 2, NULL, "status_code = 500", &err_v2, NULL))
        return fail("query version 2");
    printf("time travel to version 2: %zu spans, %zu with status 500\n", n_v2, err_v2);

    /* by timestamp: the commit time of version 2 */
    dlk_table_metadata md;
    if (dlk_table_handle_metadata(t, 2, &md)) return fail("metadata");
    time_t secs = (time_t)(md.timestamp_ms / 1000);
    struct tm tmv;
    gmtime_r(&secs, &tmv);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tmv.tm_year + 1900,
             tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min, tmv.tm_sec,
             (int)(md.timestamp_ms % 1000));
    dlk_table_metadata_clear(&md);
    size_t n_ts = 0;
    if (count(t, -1, ts, NULL, &n_ts, &v)) return fail("query as of");
    printf("time travel as of %s: version %lld, %zu spans\n", ts, (long long)v, n_ts);

    /* history, newest first */
    dlk_history *h = NULL;
    int rc = dlk_table_handle_history(t, 0, &h);
    if (rc == DLK_UNSUPPORTED) {
        printf("history unavailable: %s\n", dlk_error_last()->message);
    } else if (rc) {
        return fail("history");
    } else {
        printf("history (%zu commits):\n", dlk_history_count(h));
        printf("  %-7s | %-24s | %-12s | %s\n", "version", "timestamp", "operation", "rows added");
        for (size_t i = 0; i < dlk_history_count(h); i++) {
            const dlk_history_entry *e = dlk_history_get(h, i);
            time_t s = (time_t)(e->timestamp_ms / 1000);
            gmtime_r(&s, &tmv);
            char tsb[40];
            strftime(tsb, sizeof tsb, "%Y-%m-%d %H:%M:%S", &tmv);
            char added[32] = "-";
            if (e->records_added >= 0)
                snprintf(added, sizeof added, "%lld", (long long)e->records_added);
            printf("  %-7lld | %-24s | %-12s | %s\n", (long long)e->version, tsb,
                   e->operation ? e->operation : "?", added);
        }
        dlk_history_free(&h);
    }
    dlk_table_handle_free(&t);
    dlk_connector_free(&conn);
    printf("done\n");
    return 0;
}
