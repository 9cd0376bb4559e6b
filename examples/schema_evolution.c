/*
 * examples/schema_evolution.c - evolve a span table: add user_id
 * explicitly (a metaData commit), then let a write add session_id
 * (auto_evolution), and read old and new rows side by side (old rows have
 * null in the new columns). Also shows what strict mode does with an
 * unknown field, and a safe type widening (status_code int -> long).
 *
 *     schema_evolution [DIR]   (default ./example-data; the table is DIR/evolving_spans)
 */
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "schema_evolution: %s: %s (%s)\n", what, e->message, dlk_status_name(e->code));
    return 1;
}

static void print_columns(dlk_table_handle *t)
{
    dlk_table_metadata md;
    if (dlk_table_handle_metadata(t, -1, &md)) return;
    printf("version %lld columns:", (long long)md.version);
    for (int64_t i = 0; i < md.schema.n_children; i++) {
        char *ty = NULL;
        dlk_type_name(md.schema.children[i], &ty);
        printf(" %s:%s", md.schema.children[i]->name, ty ? ty : "?");
        dlk_string_free(ty);
    }
    printf("\n");
    dlk_table_metadata_clear(&md);
}

static dlk_connector *connect(const char *path, bool evolve)
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, path);
    cfg.auto_evolution = evolve; /* new fields in records become nullable columns */
    cfg.strict_mode = !evolve;   /* strict: unknown fields are an error */
    dlk_connector *c = NULL;
    if (dlk_connector_new(&cfg, &c)) c = NULL;
    dlk_config_free(&cfg);
    return c;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "./example-data";
    char path[1024];
    snprintf(path, sizeof path, "%s/evolving_spans", dir);
    dlk_connector *strict = connect(path, false), *evolving = connect(path, true);
    if (!strict || !evolving) return fail("connector");
    dlk_table_handle *t = NULL;
    if (dlk_connector_get_table(strict, NULL, &t) == DLK_OK) {
        dlk_table_handle_free(&t);
        if (dlk_connector_delete_table(strict, NULL)) return fail("delete old table");
    }

    dlk_schema_builder *b = NULL;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "span_id", "string", false);
    dlk_schema_builder_add(b, "service_name", "string", false);
    dlk_schema_builder_add(b, "status_code", "int", true);
    struct ArrowSchema schema;
    if (dlk_schema_builder_finish(b, &schema)) return fail("schema");
    dlk_schema_builder_free(&b);
    if (dlk_connector_get_or_create_table(strict, NULL, &schema, &t)) return fail("create");
    schema.release(&schema);
    print_columns(t);

    const char *v1 = "{\"span_id\":\"a1\",\"service_name\":\"web\",\"status_code\":200}\n"
                     "{\"span_id\":\"a2\",\"service_name\":\"api\",\"status_code\":500}\n";
    int64_t n = 0;
    if (dlk_table_handle_bulk_insert(t, v1, strlen(v1), NULL, &n)) return fail("insert v1");
    printf("inserted %lld rows with the original schema\n", (long long)n);

    /* strict mode: a record with an unknown field is refused */
    const char *unknown = "{\"span_id\":\"x\",\"service_name\":\"web\",\"user_id\":\"u-1\"}\n";
    int rc = dlk_table_handle_bulk_insert(t, unknown, strlen(unknown), NULL, &n);
    printf("strict mode, unknown field user_id: %s\n",
           rc ? dlk_status_name(rc) : "accepted (unexpected)");

    /* explicit evolution: add user_id */
    int64_t v = -1;
    if (dlk_table_handle_add_column(t, "user_id", "string", &v)) return fail("add user_id");
    printf("added column user_id (version %lld)\n", (long long)v);
    print_columns(t);
    dlk_table_handle_free(&t);

    /* automatic evolution: a write with session_id adds the column in the same commit */
    if (dlk_connector_get_table(evolving, NULL, &t)) return fail("open");
    const char *v2 =
        "{\"span_id\":\"b1\",\"service_name\":\"web\",\"status_code\":200,\"user_id\":\"u-42\","
        "\"session_id\":\"sess-9\"}\n";
    if (dlk_table_handle_bulk_insert(t, v2, strlen(v2), NULL, &n)) return fail("insert v2");
    printf("inserted %lld row with user_id and a new field session_id\n", (long long)n);
    print_columns(t);

    /* a safe type widening: status_code int -> long */
    if (dlk_schema_parse("span_id string not null, service_name string not null, status_code long, "
                         "user_id string, session_id string",
                         &schema))
        return fail("schema");
    if (dlk_table_handle_update_schema(t, &schema, &v)) return fail("widen");
    schema.release(&schema);
    printf("widened status_code to long (version %lld)\n", (long long)v);
    /* a narrowing is refused with expected and actual types */
    dlk_schema_parse("span_id string not null, service_name string not null, status_code int, "
                     "user_id string, session_id string",
                     &schema);
    rc = dlk_table_handle_update_schema(t, &schema, &v);
    schema.release(&schema);
    printf("narrowing status_code back to int: %s (expected %s, actual %s)\n", dlk_status_name(rc),
           dlk_error_last()->expected ? dlk_error_last()->expected : "?",
           dlk_error_last()->actual ? dlk_error_last()->actual : "?");

    /* old and new rows together */
    dlk_query *q = NULL;
    dlk_query_new(t, &q);
    dlk_query_order_by(q, "span_id", false);
    dlk_records *rows = NULL;
    if (dlk_query_execute(q, &rows)) return fail("query");
    printf("all rows (%zu):\n", dlk_records_count(rows));
    for (size_t i = 0; i < dlk_records_count(rows); i++)
        printf("  %s\n", dlk_records_row(rows, i));
    dlk_records_free(&rows);
    dlk_query_free(&q);

    /* the original version still reads with its original schema */
    dlk_query_new(t, &q);
    dlk_query_version(q, 1);
    if (dlk_query_execute(q, &rows)) return fail("query v1");
    printf("version 1 (%zu rows, %zu columns):\n", dlk_records_count(rows),
           dlk_records_column_count(rows));
    for (size_t i = 0; i < dlk_records_count(rows); i++)
        printf("  %s\n", dlk_records_row(rows, i));
    dlk_records_free(&rows);
    dlk_query_free(&q);

    dlk_table_handle_free(&t);
    dlk_connector_free(&strict);
    dlk_connector_free(&evolving);
    printf("done\n");
    return 0;
}
