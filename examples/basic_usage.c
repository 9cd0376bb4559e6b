/*
 * examples/basic_usage.c - the seed's first example: configure a connector,
 * create a span table, upsert a span (twice: insert, then update), query it
 * with a filter and a column selection.
 *
 *     basic_usage [DIR]      (default ./example-data; the table is DIR/otel_spans)
 */
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "basic_usage: %s: %s (%s)\n", what, e->message, dlk_status_name(e->code));
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "./example-data";
    char path[1024];
    snprintf(path, sizeof path, "%s/otel_spans", dir);

    /* 1. configure: table path, partitioning, schema policy */
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, path);
    const char *parts[] = {"service_name"};
    dlk_config_set_partition_columns(&cfg, parts, 1);
    cfg.compression = DLK_COMPRESSION_SNAPPY;
    dlk_connector *conn = NULL;
    if (dlk_connector_new(&cfg, &conn)) return fail("connector");
    dlk_config_free(&cfg);

    /* start from scratch on every run */
    dlk_table_handle *t = NULL;
    if (dlk_connector_get_table(conn, NULL, &t) == DLK_OK) {
        dlk_table_handle_free(&t);
        if (dlk_connector_delete_table(conn, NULL)) return fail("delete old table");
        printf("deleted the table of an earlier run\n");
    }

    /* 2. the schema of an OpenTelemetry span */
    dlk_schema_builder *b = NULL;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "trace_id", "string", false);
    dlk_schema_builder_add(b, "span_id", "string", false);
    dlk_schema_builder_add(b, "parent_span_id", "string", true);
    dlk_schema_builder_add(b, "service_name", "string", false);
    dlk_schema_builder_add(b, "operation_name", "string", false);
    dlk_schema_builder_add_type(b, "start_time", DLK_TYPE_TIMESTAMP, false);
    dlk_schema_builder_add_type(b, "end_time", DLK_TYPE_TIMESTAMP, true);
    dlk_schema_builder_add_type(b, "duration_ms", DLK_TYPE_DOUBLE, true);
    dlk_schema_builder_add_type(b, "status_code", DLK_TYPE_INT, true);
    dlk_schema_builder_add_map(b, "attributes", "string", "string", true, true);
    struct ArrowSchema schema;
    if (dlk_schema_builder_finish(b, &schema)) return fail("schema");
    dlk_schema_builder_free(&b);

    /* 3. create the table */
    if (dlk_connector_get_or_create_table(conn, NULL, &schema, &t)) return fail("create table");
    schema.release(&schema);
    dlk_table_metadata md;
    if (dlk_table_handle_metadata(t, -1, &md)) return fail("metadata");
    printf("created table %s (version %lld, %lld columns, partitioned by %s)\n",
           dlk_table_handle_name(t), (long long)md.version, (long long)md.schema.n_children,
           md.partition_columns[0]);
    dlk_table_metadata_clear(&md);

    /* 4. upsert a span by span_id: first an insert, then an update of the same span */
    const char *span =
        "{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
        "\"service_name\":\"checkout\",\"operation_name\":\"POST /cart\","
        "\"start_time\":\"2024-01-01T12:00:00Z\",\"end_time\":\"2024-01-01T12:00:00.250Z\","
        "\"duration_ms\":250.0,\"status_code\":500,\"attributes\":{\"http.method\":\"POST\"}}";
    const char *fixed =
        "{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
        "\"service_name\":\"checkout\",\"operation_name\":\"POST /cart\","
        "\"start_time\":\"2024-01-01T12:00:00Z\",\"end_time\":\"2024-01-01T12:00:00.180Z\","
        "\"duration_ms\":180.0,\"status_code\":200,\"attributes\":{\"http.method\":\"POST\"}}";
    const char *key[] = {"span_id"};
    dlk_upsert_result ur;
    int rc = dlk_table_handle_upsert(t, span, strlen(span), key, 1, true, NULL, &ur);
    if (rc == DLK_UNSUPPORTED) {
        /* a library built without the DML layer: insert instead */
        printf("upsert unavailable (%s); inserting instead\n", dlk_error_last()->message);
        int64_t n = 0;
        if (dlk_table_handle_bulk_insert(t, fixed, strlen(fixed), NULL, &n)) return fail("insert");
        printf("inserted %lld span\n", (long long)n);
    } else {
        if (rc) return fail("upsert");
        printf("upsert 1: %lld upserted, %lld inserted, %lld updated (version %lld)\n",
               (long long)ur.rows_upserted, (long long)ur.rows_inserted, (long long)ur.rows_updated,
               (long long)ur.version);
        if (dlk_table_handle_upsert(t, fixed, strlen(fixed), key, 1, true, NULL, &ur))
            return fail("upsert");
        printf("upsert 2: %lld upserted, %lld inserted, %lld updated (version %lld)\n",
               (long long)ur.rows_upserted, (long long)ur.rows_inserted, (long long)ur.rows_updated,
               (long long)ur.version);
    }

    /* 5. query with a filter and a selection */
    dlk_query *q = NULL;
    dlk_query_new(t, &q);
    dlk_query_filter(q, "service_name = 'checkout' AND status_code = 200");
    const char *cols[] = {"span_id", "operation_name", "duration_ms", "status_code"};
    dlk_query_select(q, cols, 4);
    dlk_records *rows = NULL;
    if (dlk_query_execute(q, &rows)) return fail("query");
    printf("query (service_name = 'checkout' AND status_code = 200): %zu row(s) at version %lld\n",
           dlk_records_count(rows), (long long)dlk_records_version(rows));
    for (size_t i = 0; i < dlk_records_count(rows); i++)
        printf("  %s\n", dlk_records_row(rows, i));
    dlk_records_free(&rows);
    dlk_query_free(&q);

    dlk_table_handle_free(&t);
    dlk_connector_free(&conn);
    printf("done\n");
    return 0;
}
