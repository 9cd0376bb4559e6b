/* The low-level ALTER API (alter.h) on table locations, without a
 * connector: add_columns / add_column (new nullable columns, refusals:
 * existing names, NOT NULL, allow_nullable false, bad type),
 * update_schema with options, rename / drop / enable column mapping
 * (versions, no-op cases, errors prefixed with the table and operation). */
#include "deltalake/deltalake.h"
#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

static char g_dir[256];

/* A table id long not null, name string with one row; its path in p. */
static void make_table(const char *name, char *p, size_t np)
{
    snprintf(p, np, "%s/%s", g_dir, name);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long not null, name string", &s));
    CHECK_OK(dlk_table_create(p, &s, NULL, NULL));
    s.release(&s);
    const char *row = "{\"id\":1,\"name\":\"a\"}\n";
    CHECK_OK(dlk_table_write_text(p, row, strlen(row), NULL, NULL));
}

/* Names of the latest schema's columns, joined with ','. */
static void columns(const char *p, char *out, size_t n)
{
    out[0] = 0;
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(p, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    const struct ArrowSchema *sc = s ? dlk_snapshot_schema(s) : NULL;
    for (int64_t i = 0; sc && i < sc->n_children; i++) {
        if (i) strncat(out, ",", n - strlen(out) - 1);
        strncat(out, sc->children[i]->name, n - strlen(out) - 1);
    }
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
}

TEST(add_columns)
{
    char p[512], cols[256];
    make_table("add", p, sizeof p);
    struct ArrowSchema add;
    CHECK_OK(dlk_schema_parse("a int, b map<string,long>", &add));
    int64_t v = -1;
    CHECK_OK(dlk_table_add_columns(p, &add, NULL, &v));
    CHECK_EQ_INT(v, 2);
    columns(p, cols, sizeof cols);
    CHECK_STR(cols, "id,name,a,b");
    /* again: the names exist now (case ignored) */
    CHECK_RC(dlk_table_add_columns(p, &add, NULL, &v), DLK_ALREADY_EXISTS);
    CHECK_EQ_INT(v, -1);
    CHECK(strstr(dlk_error_last()->message, "already has a column 'a'") != NULL);
    add.release(&add);
    /* NOT NULL new columns are refused by the schema comparison */
    CHECK_OK(dlk_schema_parse("c string not null", &add));
    CHECK_RC(dlk_table_add_columns(p, &add, NULL, &v), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, ": update_schema") != NULL);
    add.release(&add);
    /* one column by name and type */
    CHECK_OK(dlk_table_add_column(p, "amount", "decimal(10,2)", NULL, &v));
    CHECK_EQ_INT(v, 3);
    CHECK_RC(dlk_table_add_column(p, "AMOUNT", "long", NULL, &v), DLK_ALREADY_EXISTS);
    CHECK_RC(dlk_table_add_column(p, "x", "strng", NULL, &v), DLK_PARSE);
    CHECK(strstr(dlk_error_last()->message, "field 'x'") != NULL);
    CHECK_RC(dlk_table_add_column(p, "x", "int, y int", NULL, &v), DLK_PARSE);
    CHECK_RC(dlk_table_add_column(p, "", "int", NULL, &v), DLK_INVALID_ARGUMENT);
    /* allow_nullable false: no new columns */
    dlk_alter_options o = DLK_ALTER_OPTIONS_INIT;
    o.allow_nullable = false;
    CHECK_RC(dlk_table_add_column(p, "z", "int", &o, &v), DLK_SCHEMA_MISMATCH);
    o.version = 7;
    CHECK_RC(dlk_table_add_column(p, "z", "int", &o, &v), DLK_INVALID_ARGUMENT);
    columns(p, cols, sizeof cols);
    CHECK_STR(cols, "id,name,a,b,amount");
    /* rows written before read the new columns as null */
    const char *row = "{\"id\":2,\"name\":\"b\",\"a\":5,\"amount\":\"1.50\"}\n";
    CHECK_OK(dlk_table_write_text(p, row, strlen(row), NULL, NULL));
    int64_t count = -1;
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(p, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    CHECK_OK(dlk_where_count(s, NULL, &count, NULL));
    CHECK_EQ_INT(count, 2);
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
}

TEST(update_schema_widen_and_no_change)
{
    char p[512];
    make_table("widen", p, sizeof p);
    struct ArrowSchema s;
    int64_t v = -1;
    /* the same schema: nothing to commit, the current version */
    CHECK_OK(dlk_schema_parse("id long not null, name string", &s));
    CHECK_OK(dlk_table_update_schema(p, &s, NULL, &v));
    CHECK_EQ_INT(v, 1);
    s.release(&s);
    /* NOT NULL -> nullable */
    CHECK_OK(dlk_schema_parse("id long, name string", &s));
    CHECK_OK(dlk_table_update_schema(p, &s, NULL, &v));
    CHECK_EQ_INT(v, 2);
    s.release(&s);
    /* a missing column is a mismatch pointing at drop_column */
    CHECK_OK(dlk_schema_parse("id long", &s));
    CHECK_RC(dlk_table_update_schema(p, &s, NULL, &v), DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "dlk_table_drop_column") != NULL);
    s.release(&s);
    CHECK_RC(dlk_table_update_schema(p, NULL, NULL, &v), DLK_INVALID_ARGUMENT);
}

TEST(column_mapping_changes)
{
    char p[512], cols[256];
    make_table("cm", p, sizeof p);
    int64_t v = -1;
    CHECK_OK(dlk_table_enable_column_mapping(p, &v));
    CHECK_EQ_INT(v, 2);
    CHECK_OK(dlk_table_enable_column_mapping(p, &v)); /* already on: no commit */
    CHECK_EQ_INT(v, 2);
    CHECK_OK(dlk_table_rename_column(p, "name", "label", &v));
    CHECK_EQ_INT(v, 3);
    CHECK_OK(dlk_table_rename_column(p, "label", "label", &v)); /* same name: no commit */
    CHECK_EQ_INT(v, 3);
    CHECK_RC(dlk_table_rename_column(p, "nope", "x", &v), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, ": rename_column") != NULL);
    CHECK_RC(dlk_table_rename_column(p, "label", "ID", &v), DLK_ALREADY_EXISTS);
    CHECK_OK(dlk_table_add_column(p, "extra", "string", NULL, &v));
    CHECK_EQ_INT(v, 4);
    CHECK_OK(dlk_table_drop_column(p, "label", &v));
    CHECK_EQ_INT(v, 5);
    columns(p, cols, sizeof cols);
    CHECK_STR(cols, "id,extra");
    CHECK_RC(dlk_table_drop_column(p, "label", &v), DLK_NOT_FOUND);
    CHECK_EQ_INT(v, -1);
    /* no table there */
    char q[512];
    snprintf(q, sizeof q, "%s/missing", g_dir);
    CHECK_RC(dlk_table_drop_column(q, "id", &v), DLK_NOT_FOUND);
    CHECK_RC(dlk_table_add_column(q, "id", "int", NULL, &v), DLK_NOT_FOUND);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/dlk-alter-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    RUN(add_columns);
    RUN(update_schema_widen_and_no_change);
    RUN(column_mapping_changes);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
