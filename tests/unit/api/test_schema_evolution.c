/* C API tests of schema management (connector.h): strict mode, merge_schema
 * / auto_evolution through bulk insert, allow_nullable, backward
 * compatibility (old files missing a column read as null), explicit
 * update_schema / add_column, type widening (old files read widened, filters
 * on widened columns), and refused changes as SCHEMA_MISMATCH with expected
 * and actual. */
#include "deltalake/deltalake.h"
#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

static char g_dir[256];

static dlk_connector *conn(const char *name, void (*tweak)(dlk_config *))
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    char p[512];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    dlk_config_set_table_path(&cfg, p);
    if (tweak) tweak(&cfg);
    dlk_connector *c = NULL;
    if (dlk_connector_new(&cfg, &c)) fprintf(stderr, "connector: %s\n", dlk_error_last()->message);
    dlk_config_free(&cfg);
    return c;
}

static dlk_table_handle *make_table(dlk_connector *c)
{
    dlk_schema_builder *b;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "id", "long", false);
    dlk_schema_builder_add(b, "name", "string", true);
    dlk_schema_builder_add(b, "n", "int", true);
    dlk_schema_builder_add(b, "f", "float", true);
    dlk_schema_builder_add(b, "d", "date", true);
    dlk_schema_builder_add_decimal(b, "amount", 5, 2, true);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_builder_finish(b, &s));
    dlk_schema_builder_free(&b);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    const char *rows =
        "{\"id\":1,\"name\":\"a\",\"n\":10,\"f\":1.5,\"d\":\"2024-01-01\",\"amount\":\"1.25\"}\n"
        "{\"id\":2,\"name\":\"b\",\"n\":20,\"f\":2.5,\"d\":\"2024-01-02\",\"amount\":\"-3.10\"}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, rows, strlen(rows), NULL, &n));
    CHECK_EQ_INT(n, 2);
    return t;
}

/* All rows ordered by id as JSON lines joined with '\n'. */
static char *dump(dlk_table_handle *t, const char *filter)
{
    dlk_query *q;
    dlk_query_new(t, &q);
    if (filter) dlk_query_filter(q, filter);
    dlk_query_order_by(q, "id", false);
    dlk_records *r = NULL;
    if (dlk_query_execute(q, &r)) {
        fprintf(stderr, "query: %s\n", dlk_error_last()->message);
        dlk_query_free(&q);
        return strdup("(error)");
    }
    size_t cap = 64, len = 0;
    char *out = calloc(1, cap);
    for (size_t i = 0; i < dlk_records_count(r); i++) {
        const char *row = dlk_records_row(r, i);
        size_t l = strlen(row);
        while (len + l + 2 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, row, l);
        len += l;
        out[len++] = '\n';
        out[len] = 0;
    }
    dlk_records_free(&r);
    dlk_query_free(&q);
    return out;
}

#define CHECK_DUMP(t, filter, want)                                                                \
    do {                                                                                           \
        char *_d = dump(t, filter);                                                                \
        CHECK_STR(_d, want);                                                                       \
        free(_d);                                                                                  \
    } while (0)

TEST(strict_rejects_unknown_fields)
{
    dlk_connector *c = conn("strict", NULL);
    dlk_table_handle *t = make_table(c);
    const char *extra = "{\"id\":3,\"user_id\":\"u1\"}\n";
    int64_t n = -1;
    CHECK_RC(dlk_table_handle_bulk_insert(t, extra, strlen(extra), NULL, &n), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "user_id") != NULL);
    /* explicit IGNORE drops the field; MERGE adds the column */
    dlk_insert_options o = DLK_INSERT_OPTIONS_INIT;
    o.schema_mode = DLK_SCHEMA_IGNORE;
    CHECK_OK(dlk_table_handle_bulk_insert(t, extra, strlen(extra), &o, &n));
    CHECK_EQ_INT(n, 1);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.schema.n_children, 6);
    dlk_table_metadata_clear(&md);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

static void evolve(dlk_config *c)
{
    c->auto_evolution = true;
    c->strict_mode = false;
}

TEST(auto_evolution_and_backward_compat)
{
    dlk_connector *c = conn("evolve", evolve);
    dlk_table_handle *t = make_table(c);
    const char *more = "{\"id\":3,\"name\":\"c\",\"user_id\":\"u-3\",\"session_id\":\"s-3\"}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, more, strlen(more), NULL, &n));
    CHECK_EQ_INT(n, 1);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.schema.n_children, 8);
    CHECK_STR(md.schema.children[6]->name, "user_id");
    CHECK(md.schema.children[6]->flags & ARROW_FLAG_NULLABLE);
    dlk_table_metadata_clear(&md);
    /* old file (no user_id/session_id) reads them as null */
    CHECK_DUMP(t, "id <= 3",
               "{\"id\":1,\"name\":\"a\",\"n\":10,\"f\":1.5,\"d\":\"2024-01-01\",\"amount\":\"1."
               "25\",\"user_id\":null,\"session_id\":null}\n"
               "{\"id\":2,\"name\":\"b\",\"n\":20,\"f\":2.5,\"d\":\"2024-01-02\",\"amount\":\"-3."
               "10\",\"user_id\":null,\"session_id\":null}\n"
               "{\"id\":3,\"name\":\"c\",\"n\":null,\"f\":null,\"d\":null,\"amount\":null,\"user_"
               "id\":\"u-3\",\"session_id\":\"s-3\"}\n");
    CHECK_DUMP(t, "user_id IS NULL",
               "{\"id\":1,\"name\":\"a\",\"n\":10,\"f\":1.5,\"d\":\"2024-01-01\",\"amount\":\"1."
               "25\",\"user_id\":null,\"session_id\":null}\n"
               "{\"id\":2,\"name\":\"b\",\"n\":20,\"f\":2.5,\"d\":\"2024-01-02\",\"amount\":\"-3."
               "10\",\"user_id\":null,\"session_id\":null}\n");
    /* the table at version 1 still has the old schema */
    dlk_query *q;
    dlk_query_new(t, &q);
    dlk_query_version(q, 1);
    dlk_records *r;
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_column_count(r), 6);
    dlk_records_free(&r);
    dlk_query_free(&q);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

static void no_nullable(dlk_config *c)
{
    c->merge_schema = true;
    c->allow_nullable = false;
}

TEST(allow_nullable_false)
{
    dlk_connector *c = conn("nonull", no_nullable);
    dlk_table_handle *t = make_table(c);
    const char *more = "{\"id\":3,\"user_id\":\"u-3\"}\n";
    int64_t n = 0;
    CHECK_RC(dlk_table_handle_bulk_insert(t, more, strlen(more), NULL, &n), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "allow_nullable") != NULL);
    CHECK_RC(dlk_table_handle_add_column(t, "user_id", "string", NULL), DLK_SCHEMA_MISMATCH);
    /* rows without new fields still go in */
    const char *ok = "{\"id\":3}\n";
    CHECK_OK(dlk_table_handle_bulk_insert(t, ok, strlen(ok), NULL, &n));
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(update_schema_add_and_widen)
{
    dlk_connector *c = conn("widen", NULL);
    dlk_table_handle *t = make_table(c);
    int64_t v = -1;
    CHECK_OK(dlk_table_handle_add_column(t, "session_id", "string", &v));
    CHECK_EQ_INT(v, 2);
    CHECK_RC(dlk_table_handle_add_column(t, "SESSION_ID", "string", &v), DLK_ALREADY_EXISTS);
    CHECK_OK(dlk_table_handle_add_column(t, "attrs", "map<string,long>", &v));
    CHECK_EQ_INT(v, 3);

    /* widen n int->long, f float->double, d date->timestamp_ntz, amount decimal(5,2)->decimal(9,3)
     */
    dlk_schema_builder *b;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "id", "long", false);
    dlk_schema_builder_add(b, "name", "string", true);
    dlk_schema_builder_add(b, "n", "long", true);
    dlk_schema_builder_add(b, "f", "double", true);
    dlk_schema_builder_add(b, "d", "timestamp_ntz", true);
    dlk_schema_builder_add(b, "amount", "decimal(9,3)", true);
    dlk_schema_builder_add(b, "session_id", "string", true);
    dlk_schema_builder_add(b, "attrs", "map<string,long>", true);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_builder_finish(b, &s));
    dlk_schema_builder_free(&b);
    CHECK_OK(dlk_table_handle_update_schema(t, &s, &v));
    CHECK_EQ_INT(v, 4);
    /* the same schema again: nothing to do */
    CHECK_OK(dlk_table_handle_update_schema(t, &s, &v));
    CHECK_EQ_INT(v, 4);
    s.release(&s);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.min_reader_version, 3);
    CHECK_EQ_INT(md.min_writer_version, 7);
    bool tw = false, ntz = false, inv = false;
    for (size_t i = 0; i < md.n_writer_features; i++) {
        tw |= !strcmp(md.writer_features[i], "typeWidening");
        ntz |= !strcmp(md.writer_features[i], "timestampNtz");
        inv |= !strcmp(md.writer_features[i], "invariants");
    }
    CHECK(tw && ntz && inv);
    CHECK(strstr(md.schema_json,
                 "\"delta.typeChanges\":[{\"fromType\":\"integer\",\"toType\":\"long\"}]") != NULL);
    CHECK(strstr(md.schema_json, "{\"fromType\":\"decimal(5,2)\",\"toType\":\"decimal(9,3)\"}") !=
          NULL);
    dlk_table_metadata_clear(&md);

    /* old rows read with the wide types; a new row needs them */
    const char *big = "{\"id\":3,\"n\":5000000000,\"f\":0.1,\"d\":\"2024-03-01T12:30:00\","
                      "\"amount\":\"123456.789\","
                      "\"session_id\":\"s\",\"attrs\":{\"k\":1}}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, big, strlen(big), NULL, &n));
    CHECK_DUMP(t, NULL,
               "{\"id\":1,\"name\":\"a\",\"n\":10,\"f\":1.5,\"d\":\"2024-01-01T00:00:00.000000\","
               "\"amount\":\"1.250\",\"session_id\":null,\"attrs\":null}\n"
               "{\"id\":2,\"name\":\"b\",\"n\":20,\"f\":2.5,\"d\":\"2024-01-02T00:00:00.000000\","
               "\"amount\":\"-3.100\",\"session_id\":null,\"attrs\":null}\n"
               "{\"id\":3,\"name\":null,\"n\":5000000000,\"f\":0.1,\"d\":\"2024-03-01T12:30:00."
               "000000\",\"amount\":\"123456.789\",\"session_id\":\"s\",\"attrs\":{\"k\":1}}\n");
    /* filters on widened columns see old files correctly */
    CHECK_DUMP(t, "n >= 15 AND n < 100",
               "{\"id\":2,\"name\":\"b\",\"n\":20,\"f\":2.5,\"d\":\"2024-01-02T00:00:00.000000\","
               "\"amount\":\"-3.100\",\"session_id\":null,\"attrs\":null}\n");
    char *d = dump(t, "d >= '2024-01-02'");
    CHECK(d && strstr(d, "\"id\":2") && strstr(d, "\"id\":3") && !strstr(d, "\"id\":1"));
    free(d);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

static void expect_mismatch(dlk_table_handle *t, const char *ddl, const char *exp, const char *act)
{
    struct ArrowSchema s;
    if (dlk_schema_parse(ddl, &s)) {
        fprintf(stderr, "bad ddl %s\n", ddl);
        h_cur_failed = 1;
        return;
    }
    int rc = dlk_table_handle_update_schema(t, &s, NULL);
    const dlk_error *e = dlk_error_last();
    if (rc != DLK_SCHEMA_MISMATCH || (exp && (!e->expected || strcmp(e->expected, exp))) ||
        (act && (!e->actual || strcmp(e->actual, act)))) {
        fprintf(stderr, "%s: got %d '%s' expected=%s actual=%s; wanted %s -> %s\n", ddl, rc,
                e->message, e->expected ? e->expected : "-", e->actual ? e->actual : "-",
                exp ? exp : "-", act ? act : "-");
        h_cur_failed = 1;
    }
    s.release(&s);
}

TEST(refused_changes)
{
    dlk_connector *c = conn("refuse", NULL);
    dlk_table_handle *t = make_table(c);
    const char *rest = ", name string, f float, d date, amount decimal(5,2)";
    char ddl[512];
    snprintf(ddl, sizeof ddl, "id int not null, n int%s", rest);
    expect_mismatch(t, ddl, "long", "integer"); /* narrowing */
    snprintf(ddl, sizeof ddl, "id string not null, n int%s", rest);
    expect_mismatch(t, ddl, "long", "string");
    snprintf(ddl, sizeof ddl, "id long not null, n double%s", rest);
    CHECK_OK(0); /* int -> double is a widening: checked below */
    snprintf(ddl, sizeof ddl, "id long not null, n float%s", rest);
    expect_mismatch(t, ddl, "integer", "float");
    expect_mismatch(t, "id long not null, name string, f float, d date, amount decimal(5,2)",
                    "integer", NULL); /* n dropped */
    snprintf(ddl, sizeof ddl, "id long not null, n int%s, extra long not null", rest);
    expect_mismatch(t, ddl, "nullable", "not null");
    snprintf(ddl, sizeof ddl, "id long not null, n int not null%s", rest);
    expect_mismatch(t, ddl, "integer", "integer"); /* nullable -> not null */
    expect_mismatch(t, "id long not null, n int, name string, f float, d date, amount decimal(5,3)",
                    "decimal(5,2)", "decimal(5,3)"); /* integer digits shrink */
    /* nothing was committed */
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.version, 1);
    dlk_table_metadata_clear(&md);
    /* int -> double and NOT NULL -> nullable are fine */
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse(
        "id long, n double, name string, f float, d date, amount decimal(5,2)", &s));
    CHECK_OK(dlk_table_handle_update_schema(t, &s, NULL));
    s.release(&s);
    CHECK_DUMP(
        t, "n > 15",
        "{\"id\":2,\"n\":20,\"name\":\"b\",\"f\":2.5,\"d\":\"2024-01-02\",\"amount\":\"-3.10\"}\n");
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/dlk-evo-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    RUN(strict_rejects_unknown_fields);
    RUN(auto_evolution_and_backward_compat);
    RUN(allow_nullable_false);
    RUN(update_schema_add_and_widen);
    RUN(refused_changes);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
