/* Column mapping on the write side (the Delta protocol "Column Mapping"): writes to
 * a table created with mode=name (data files with physical names and field
 * ids, stats and partition values keyed by physical names) through append,
 * upsert, delete, optimize; rename and drop of columns (old and new rows,
 * time travel before the rename, a dropped column re-added starts empty,
 * renamed partition column); refused changes; appends to the golden
 * column-mapping tables (name and id mode). Expected physical names and ids
 * come from the log read with jansson, not from the code under test; every
 * table must pass dlk_table_check with 0 findings. */
#include "deltalake/check.h"
#include "deltalake/deltalake.h"
#include "deltalake/parquet.h"
#include "harness.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char g_dir[256];

static dlk_connector *conn(const char *path, const char *part)
{
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_config_set_table_path(&cfg, path);
    if (part) dlk_config_set_partition_columns(&cfg, &part, 1);
    dlk_connector *c = NULL;
    if (dlk_connector_new(&cfg, &c)) fprintf(stderr, "connector: %s\n", dlk_error_last()->message);
    dlk_config_free(&cfg);
    return c;
}

/* Rows ordered by id, JSON lines; version >= 0: time travel. */
static char *dump(dlk_table_handle *t, const char *filter, int64_t version)
{
    dlk_query *q;
    dlk_query_new(t, &q);
    if (filter) dlk_query_filter(q, filter);
    if (version >= 0) dlk_query_version(q, version);
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

#define CHECK_DUMP(t, filter, version, want)                                                       \
    do {                                                                                           \
        char *_d = dump(t, filter, version);                                                       \
        CHECK_STR(_d, want);                                                                       \
        free(_d);                                                                                  \
    } while (0)

/* Actions of commit `version` of the table at dir (array, decref). */
static json_t *commit_actions(const char *dir, int64_t version)
{
    char p[600];
    snprintf(p, sizeof p, "%s/_delta_log/%020lld.json", dir, (long long)version);
    FILE *f = fopen(p, "r");
    json_t *arr = json_array();
    char line[1 << 16];
    while (f && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        if (j) json_array_append_new(arr, j);
    }
    if (f) fclose(f);
    return arr;
}

/* physicalName and id of top-level column `col` in the newest metaData at or
 * before `version`, read from the log. */
static int log_mapping(const char *dir, int64_t version, const char *col, char *phys, size_t cap,
                       int64_t *id)
{
    for (int64_t v = version; v >= 0; v--) {
        json_t *a = commit_actions(dir, v);
        size_t i;
        json_t *x;
        json_array_foreach(a, i, x)
        {
            json_t *md = json_object_get(x, "metaData");
            if (!md) continue;
            json_t *s = json_loads(json_string_value(json_object_get(md, "schemaString")), 0, NULL);
            size_t k;
            json_t *fl;
            int found = 0;
            json_array_foreach(json_object_get(s, "fields"), k, fl)
            {
                if (strcmp(json_string_value(json_object_get(fl, "name")), col)) continue;
                json_t *m = json_object_get(fl, "metadata");
                const char *pn =
                    json_string_value(json_object_get(m, "delta.columnMapping.physicalName"));
                snprintf(phys, cap, "%s", pn ? pn : "");
                *id = json_integer_value(json_object_get(m, "delta.columnMapping.id"));
                found = pn != NULL;
            }
            json_decref(s);
            json_decref(a);
            return found ? 0 : -1;
        }
        json_decref(a);
    }
    return -1;
}

/* Does Parquet file `path` have top-level column `name` with field id `id`? */
static int file_has(const char *path, const char *name, int64_t id)
{
    dlk_pq_file *f = NULL;
    if (dlk_pq_open_path(path, &f)) return 0;
    struct ArrowSchema s;
    int ok = 0;
    if (!dlk_pq_get_schema(f, &s)) {
        for (int64_t i = 0; i < s.n_children; i++)
            if (!strcmp(s.children[i]->name, name) && dlk_pq_field_id(f, (int)i) == id) ok = 1;
        s.release(&s);
    }
    dlk_pq_close(&f);
    return ok;
}

/* Every add of commit `version`: its file has the physical column with its
 * id, stats and partitionValues use physical keys. Returns adds checked. */
static int check_adds(const char *dir, int64_t version, const char *data_col, const char *part_col)
{
    char phys[200], pphys[200];
    int64_t id = -1, pid = -1;
    CHECK(log_mapping(dir, version, data_col, phys, sizeof phys, &id) == 0);
    if (part_col) CHECK(log_mapping(dir, version, part_col, pphys, sizeof pphys, &pid) == 0);
    json_t *a = commit_actions(dir, version);
    size_t i;
    json_t *x;
    int n = 0;
    json_array_foreach(a, i, x)
    {
        json_t *add = json_object_get(x, "add");
        if (!add) continue;
        n++;
        char p[800];
        snprintf(p, sizeof p, "%s/%s", dir, json_string_value(json_object_get(add, "path")));
        CHECK(file_has(p, phys, id));
        json_t *st = json_loads(json_string_value(json_object_get(add, "stats")), 0, NULL);
        CHECK(json_object_get(json_object_get(st, "nullCount"), phys) != NULL);
        CHECK(json_object_get(json_object_get(st, "nullCount"), data_col) == NULL ||
              !strcmp(phys, data_col));
        json_decref(st);
        if (part_col) {
            json_t *pv = json_object_get(add, "partitionValues");
            CHECK(json_object_get(pv, pphys) != NULL);
            CHECK_EQ_INT(json_object_size(pv), 1);
        }
    }
    json_decref(a);
    return n;
}

static void check_clean(const char *dir)
{
    dlk_check_report *r = NULL;
    CHECK_OK(dlk_table_check(dir, NULL, &r));
    if (r) {
        CHECK_EQ_INT(r->n_findings, 0);
        for (size_t i = 0; i < r->n_findings; i++)
            fprintf(stderr, "finding %s: %s\n", r->findings[i].code, r->findings[i].message);
    }
    dlk_check_report_free(&r);
}

static int64_t latest(dlk_table_handle *t)
{
    dlk_table_metadata md;
    int64_t v = -1;
    if (!dlk_table_handle_metadata(t, -1, &md)) v = md.version;
    dlk_table_metadata_clear(&md);
    return v;
}

TEST(created_mapped_table_writes)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m1", g_dir);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, name string, p string", &s));
    const char *pc[] = {"p"}, *k[] = {"delta.columnMapping.mode"}, *v[] = {"name"};
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    co.prop_keys = k;
    co.prop_values = v;
    co.n_props = 1;
    CHECK_OK(dlk_table_create(dir, &s, &co, NULL));
    s.release(&s);
    /* every field mapped: ids 1..3, physical names col-..., maxColumnId 3 */
    char phys[200];
    int64_t id;
    CHECK(log_mapping(dir, 0, "name", phys, sizeof phys, &id) == 0);
    CHECK(!strncmp(phys, "col-", 4));
    CHECK_EQ_INT(id, 2);
    json_t *a0 = commit_actions(dir, 0);
    json_t *proto = json_object_get(json_array_get(a0, 1), "protocol");
    CHECK_EQ_INT(json_integer_value(json_object_get(proto, "minWriterVersion")), 7);
    CHECK_STR(json_string_value(json_array_get(json_object_get(proto, "readerFeatures"), 0)),
              "columnMapping");
    json_decref(a0);

    dlk_connector *c = conn(dir, "p");
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    const char *rows =
        "{\"id\":1,\"name\":\"a\",\"p\":\"x\"}\n{\"id\":2,\"name\":\"b\",\"p\":\"x\"}\n"
        "{\"id\":3,\"name\":null,\"p\":\"y\"}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, rows, strlen(rows), NULL, &n));
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(check_adds(dir, 1, "name", "p"), 2);
    /* the filter on a data column uses the stats (physical keys) and still finds the row */
    CHECK_DUMP(t, "name = 'b'", -1, "{\"id\":2,\"name\":\"b\",\"p\":\"x\"}\n");
    CHECK_DUMP(t, "p = 'y'", -1, "{\"id\":3,\"name\":null,\"p\":\"y\"}\n");
    const char *key[] = {"id"};
    const char *up =
        "{\"id\":2,\"name\":\"B\",\"p\":\"x\"}\n{\"id\":4,\"name\":\"d\",\"p\":\"y\"}\n";
    dlk_upsert_result ur;
    CHECK_OK(dlk_table_handle_upsert(t, up, strlen(up), key, 1, false, NULL, &ur));
    CHECK_EQ_INT(ur.rows_updated, 1);
    CHECK(check_adds(dir, ur.version, "name", "p") >= 1);
    int64_t del = 0;
    CHECK_OK(dlk_table_handle_delete(t, "id = 1", NULL, DLK_DML_HARD, &del));
    CHECK_EQ_INT(del, 1);
    CHECK(check_adds(dir, latest(t), "name", "p") >= 1);
    int64_t fr = 0, fa = 0;
    CHECK_OK(dlk_table_handle_optimize(t, NULL, NULL, 0, &fr, &fa));
    CHECK(fr >= 2);
    CHECK(check_adds(dir, latest(t), "name", "p") >= 1);
    CHECK_DUMP(t, NULL, -1,
               "{\"id\":2,\"name\":\"B\",\"p\":\"x\"}\n{\"id\":3,\"name\":null,\"p\":\"y\"}\n"
               "{\"id\":4,\"name\":\"d\",\"p\":\"y\"}\n");
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(rename_drop_and_write_again)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m2", g_dir);
    dlk_connector *c = conn(dir, "p");
    dlk_schema_builder *b;
    dlk_schema_builder_new(&b);
    dlk_schema_builder_add(b, "id", "long", false);
    dlk_schema_builder_add(b, "name", "string", true);
    dlk_schema_builder_add(b, "n", "int", true);
    dlk_schema_builder_add(b, "p", "string", true);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_builder_finish(b, &s));
    dlk_schema_builder_free(&b);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    const char *rows = "{\"id\":1,\"name\":\"a\",\"n\":10,\"p\":\"x\"}\n{\"id\":2,\"name\":\"b\","
                       "\"n\":20,\"p\":\"y\"}\n";
    int64_t n = 0, v_before = -1, v = -1;
    CHECK_OK(dlk_table_handle_bulk_insert(t, rows, strlen(rows), NULL, &n));
    v_before = latest(t);
    /* rename enables mapping: physical name = the old name, files untouched */
    CHECK_OK(dlk_table_handle_rename_column(t, "name", "label", &v));
    CHECK_EQ_INT(v, v_before + 1);
    char phys[200];
    int64_t id;
    CHECK(log_mapping(dir, v, "label", phys, sizeof phys, &id) == 0);
    CHECK_STR(phys, "name");
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_STR(md.column_mapping_mode, "name");
    dlk_table_metadata_clear(&md);
    CHECK_OK(dlk_table_handle_drop_column(t, "n", &v));
    CHECK_DUMP(t, NULL, -1,
               "{\"id\":1,\"label\":\"a\",\"p\":\"x\"}\n{\"id\":2,\"label\":\"b\",\"p\":\"y\"}\n");
    /* time travel before the rename: the old names and the dropped column */
    CHECK_DUMP(t, NULL, v_before,
               "{\"id\":1,\"name\":\"a\",\"n\":10,\"p\":\"x\"}\n{\"id\":2,\"name\":\"b\",\"n\":20,"
               "\"p\":\"y\"}\n");
    /* write again under the new names; the old name is unknown now */
    const char *more = "{\"id\":3,\"label\":\"c\",\"p\":\"x\"}\n";
    CHECK_OK(dlk_table_handle_bulk_insert(t, more, strlen(more), NULL, &n));
    CHECK_EQ_INT(check_adds(dir, latest(t), "label", "p"), 1);
    const char *old = "{\"id\":4,\"name\":\"d\",\"p\":\"x\"}\n";
    CHECK_RC(dlk_table_handle_bulk_insert(t, old, strlen(old), NULL, &n), DLK_SCHEMA_MISMATCH);
    CHECK_DUMP(t, "label >= 'b'", -1,
               "{\"id\":2,\"label\":\"b\",\"p\":\"y\"}\n{\"id\":3,\"label\":\"c\",\"p\":\"x\"}\n");
    /* a re-added column "n" is a new column (new id, col-<uuid>): old rows read null */
    CHECK_OK(dlk_table_handle_add_column(t, "n", "int", &v));
    CHECK(log_mapping(dir, v, "n", phys, sizeof phys, &id) == 0);
    CHECK(!strncmp(phys, "col-", 4));
    CHECK_EQ_INT(id, 5);
    const char *withn = "{\"id\":5,\"label\":\"e\",\"n\":50,\"p\":\"y\"}\n";
    CHECK_OK(dlk_table_handle_bulk_insert(t, withn, strlen(withn), NULL, &n));
    CHECK_EQ_INT(check_adds(dir, latest(t), "n", "p"), 1);
    /* rename the partition column: partition values stay keyed by "p" */
    CHECK_OK(dlk_table_handle_rename_column(t, "p", "part", &v));
    CHECK_DUMP(t, "part = 'y'", -1,
               "{\"id\":2,\"label\":\"b\",\"part\":\"y\",\"n\":null}\n{\"id\":5,\"label\":\"e\","
               "\"part\":\"y\",\"n\":50}\n");
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
    c = conn(dir, "part");
    CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    const char *p2 = "{\"id\":6,\"label\":\"f\",\"part\":\"x\",\"n\":60}\n";
    CHECK_OK(dlk_table_handle_bulk_insert(t, p2, strlen(p2), NULL, &n));
    CHECK_EQ_INT(check_adds(dir, latest(t), "label", "part"), 1);
    int64_t del = 0;
    CHECK_OK(dlk_table_handle_delete(t, "label = 'a'", NULL, DLK_DML_HARD, &del));
    CHECK_EQ_INT(del, 1);
    CHECK_DUMP(t, "part = 'x'", -1,
               "{\"id\":3,\"label\":\"c\",\"part\":\"x\",\"n\":null}\n{\"id\":6,\"label\":\"f\","
               "\"part\":\"x\",\"n\":60}\n");
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(refused_changes)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m3", g_dir);
    dlk_connector *c = conn(dir, "p");
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, name string, p string", &s));
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    int64_t v = 0;
    CHECK_RC(dlk_table_handle_drop_column(t, "p", &v), DLK_INVALID_ARGUMENT);
    CHECK_EQ_INT(v, -1);
    CHECK_RC(dlk_table_handle_drop_column(t, "nope", NULL), DLK_NOT_FOUND);
    CHECK_RC(dlk_table_handle_rename_column(t, "name", "ID", NULL), DLK_ALREADY_EXISTS);
    CHECK_RC(dlk_table_handle_rename_column(t, "name", "", NULL), DLK_INVALID_ARGUMENT);
    CHECK_OK(dlk_table_handle_drop_column(t, "name", NULL));
    CHECK_RC(dlk_table_handle_drop_column(t, "id", NULL),
             DLK_INVALID_ARGUMENT); /* last data column */
    /* nothing refused was committed: create + one drop */
    CHECK_EQ_INT(latest(t), 1);
    CHECK_OK(dlk_table_handle_enable_column_mapping(t, &v));
    CHECK_EQ_INT(v, 1); /* already on */
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

/* The golden tables written by Delta (protocol 2/5, mode name and id) accept
 * an append from us and read back. */
static void golden(const char *name)
{
    char cmd[1200], dir[600], rel[200], tar[600];
    snprintf(rel, sizeof rel, "delta/golden/%s.tar.zst", name);
    harness_testdata(tar, sizeof tar, rel);
    snprintf(cmd, sizeof cmd, "tar --zstd -xf '%s' -C '%s'", tar, g_dir);
    if (system(cmd) != 0) {
        CHECK(!"golden table extracted");
        return;
    }
    snprintf(dir, sizeof dir, "%s/%s/delta", g_dir, name);
    dlk_connector *c = conn(dir, NULL);
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    const char *row = "{\"ByteType\":100,\"StringType\":\"new\",\"nested_struct\":{\"aa\":\"x\","
                      "\"ac\":{\"aca\":7}},"
                      "\"map_of_prims\":{\"5\":6}}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, row, strlen(row), NULL, &n));
    CHECK_EQ_INT(n, 1);
    dlk_query *q;
    dlk_query_new(t, &q);
    dlk_query_filter(q, "ByteType >= 100");
    const char *cols[] = {"ByteType", "StringType", "nested_struct", "map_of_prims"};
    dlk_query_select(q, cols, 4);
    dlk_records *r = NULL;
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK_EQ_INT(dlk_records_count(r), 1);
    if (dlk_records_count(r) == 1)
        CHECK_STR(dlk_records_row(r, 0),
                  "{\"ByteType\":100,\"StringType\":\"new\",\"nested_struct\":{\"aa\":\"x\","
                  "\"ac\":{\"aca\":7}},\"map_of_prims\":{\"5\":6}}");
    dlk_records_free(&r);
    dlk_query_free(&q);
    /* the old rows are still all there */
    dlk_query_new(t, &q);
    CHECK_OK(dlk_query_execute(q, &r));
    CHECK(dlk_records_count(r) > 1);
    dlk_records_free(&r);
    dlk_query_free(&q);
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

TEST(golden_name_mode_append)
{
    golden("table-with-columnmapping-mode-name");
}
TEST(golden_id_mode_append)
{
    golden("table-with-columnmapping-mode-id");
}

/* merge_schema (a new nested column gets ids for the struct and its field)
 * and a replace_where overwrite of one partition on a mapped table. */
TEST(merge_schema_and_replace_where)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m4", g_dir);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, name string, p string", &s));
    const char *pc[] = {"p"}, *k[] = {"delta.columnMapping.mode"}, *v[] = {"name"};
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    co.prop_keys = k;
    co.prop_values = v;
    co.n_props = 1;
    CHECK_OK(dlk_table_create(dir, &s, &co, NULL));
    s.release(&s);
    const char *r1 =
        "{\"id\":1,\"name\":\"a\",\"p\":\"x\"}\n{\"id\":2,\"name\":\"b\",\"p\":\"y\"}\n";
    dlk_write_options wo = DLK_WRITE_OPTIONS_INIT;
    dlk_write_result wr;
    CHECK_OK(dlk_table_write_text(dir, r1, strlen(r1), &wo, &wr));
    const char *r2 = "{\"id\":3,\"name\":\"c\",\"p\":\"x\",\"extra\":{\"k\":7}}\n";
    wo.merge_schema = true;
    CHECK_OK(dlk_table_write_text(dir, r2, strlen(r2), &wo, &wr));
    CHECK(wr.schema_changed);
    char phys[200];
    int64_t id = 0;
    CHECK(log_mapping(dir, wr.version, "extra", phys, sizeof phys, &id) == 0);
    CHECK_EQ_INT(id, 4); /* after id, name, p; its field k gets 5 */
    json_t *a = commit_actions(dir, wr.version);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        json_t *md = json_object_get(x, "metaData");
        if (md)
            CHECK_STR(json_string_value(json_object_get(json_object_get(md, "configuration"),
                                                        "delta.columnMapping.maxColumnId")),
                      "5");
    }
    json_decref(a);
    CHECK_EQ_INT(check_adds(dir, wr.version, "extra", "p"), 1);
    /* overwrite partition x only */
    const char *r3 = "{\"id\":4,\"name\":\"d\",\"p\":\"x\"}\n";
    dlk_write_options ow = DLK_WRITE_OPTIONS_INIT;
    ow.mode = DLK_WRITE_OVERWRITE;
    ow.replace_where = "p = 'x'";
    CHECK_OK(dlk_table_write_text(dir, r3, strlen(r3), &ow, &wr));
    CHECK_EQ_INT(wr.files_removed, 2);
    CHECK_EQ_INT(check_adds(dir, wr.version, "name", "p"), 1);
    dlk_connector *c = conn(dir, "p");
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_table(c, NULL, &t));
    CHECK_DUMP(t, NULL, -1,
               "{\"id\":2,\"name\":\"b\",\"p\":\"y\",\"extra\":null}\n{\"id\":4,\"name\":\"d\","
               "\"p\":\"x\",\"extra\":null}\n");
    CHECK_DUMP(t, "id = 3", wr.version - 1,
               "{\"id\":3,\"name\":\"c\",\"p\":\"x\",\"extra\":{\"k\":7}}\n");
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

/* Renames racing each other: each is redone on the winner's state, all land. */
typedef struct racer {
    dlk_table_handle *t;
    char from[16], to[16];
    int rc;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    r->rc = dlk_table_handle_rename_column(r->t, r->from, r->to, NULL);
    return NULL;
}

TEST(concurrent_renames)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m5", g_dir);
    dlk_connector *c = conn(dir, NULL);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, c0 int, c1 int, c2 int, c3 int", &s));
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    CHECK_OK(dlk_table_handle_enable_column_mapping(t, NULL));
    racer r[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        r[i].t = t;
        snprintf(r[i].from, sizeof r[i].from, "c%d", i);
        snprintf(r[i].to, sizeof r[i].to, "r%d", i);
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(r[i].rc, 0);
    }
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.version, 5);
    CHECK_EQ_INT(md.schema.n_children, 5);
    for (int i = 0; i < 4 && md.schema.n_children == 5; i++)
        CHECK_STR(md.schema.children[i + 1]->name, r[i].to);
    dlk_table_metadata_clear(&md);
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

/* Struct fields: rename and drop by dotted path, write again, read both. */
TEST(nested_rename_and_drop)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m6", g_dir);
    dlk_connector *c = conn(dir, NULL);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, attrs struct<a: string, b: int, c: int>", &s));
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    const char *r1 = "{\"id\":1,\"attrs\":{\"a\":\"x\",\"b\":1,\"c\":2}}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, r1, strlen(r1), NULL, &n));
    CHECK_OK(dlk_table_handle_rename_column(t, "attrs.a", "label", NULL));
    CHECK_OK(dlk_table_handle_drop_column(t, "attrs.b", NULL));
    CHECK_RC(dlk_table_handle_rename_column(t, "attrs.c", "LABEL", NULL), DLK_ALREADY_EXISTS);
    CHECK_RC(dlk_table_handle_drop_column(t, "attrs.zz", NULL), DLK_NOT_FOUND);
    const char *r2 = "{\"id\":2,\"attrs\":{\"label\":\"y\",\"c\":4}}\n";
    CHECK_OK(dlk_table_handle_bulk_insert(t, r2, strlen(r2), NULL, &n));
    CHECK_DUMP(t, NULL, -1,
               "{\"id\":1,\"attrs\":{\"label\":\"x\",\"c\":2}}\n{\"id\":2,\"attrs\":{\"label\":"
               "\"y\",\"c\":4}}\n");
    CHECK_DUMP(t, NULL, 1, "{\"id\":1,\"attrs\":{\"a\":\"x\",\"b\":1,\"c\":2}}\n");
    CHECK_OK(dlk_table_handle_drop_column(t, "attrs.c", NULL));
    CHECK_RC(dlk_table_handle_drop_column(t, "attrs.label", NULL),
             DLK_INVALID_ARGUMENT); /* only field */
    CHECK_DUMP(t, "id = 2", -1, "{\"id\":2,\"attrs\":{\"label\":\"y\"}}\n");
    check_clean(dir);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

/* DuckDB (an independent reader) sees the physical names, the field ids and
 * the values in the data files we wrote (its delta extension is not
 * available offline, so the Parquet files are read directly). */
static char g_peers[600];

static int have_duckdb(void)
{
    const char *p = getenv("DLK_PEERS");
    snprintf(g_peers, sizeof g_peers, "%s", p && *p ? p : DLK_SOURCE_DIR "/tests/peers");
    char nm[700];
    snprintf(nm, sizeof nm, "%s/node_modules/@duckdb/node-api", g_peers);
    return access(nm, F_OK) == 0;
}

static char *duck(const char *sql)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "node '%s/duckdb_query.mjs' \"%s\"", g_peers, sql);
    FILE *f = popen(cmd, "r");
    if (!f) return strdup("(popen failed)");
    size_t cap = 4096, len = 0, n;
    char *out = calloc(1, cap);
    char buf[4096];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        while (len + n + 1 > cap)
            out = realloc(out, cap *= 2);
        memcpy(out + len, buf, n);
        len += n;
        out[len] = 0;
    }
    pclose(f);
    return out;
}

TEST(duckdb_reads_physical_files)
{
    if (!have_duckdb()) SKIP("DuckDB peer missing: run scripts/install-peers.sh");
    char dir[300];
    snprintf(dir, sizeof dir, "%s/m7", g_dir);
    dlk_connector *c = conn(dir, NULL);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("id long, name string", &s));
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    CHECK_OK(dlk_table_handle_enable_column_mapping(t, NULL));
    CHECK_OK(dlk_table_handle_add_column(t, "score", "double", NULL));
    CHECK_OK(dlk_table_handle_rename_column(t, "name", "label", NULL));
    const char *rows =
        "{\"id\":1,\"label\":\"a\",\"score\":1.5}\n{\"id\":2,\"label\":\"b\",\"score\":null}\n";
    int64_t n = 0;
    CHECK_OK(dlk_table_handle_bulk_insert(t, rows, strlen(rows), NULL, &n));
    int64_t v = latest(t);
    char pid[200], plabel[200], pscore[200];
    int64_t iid = 0, ilabel = 0, iscore = 0;
    CHECK(log_mapping(dir, v, "id", pid, sizeof pid, &iid) == 0);
    CHECK(log_mapping(dir, v, "label", plabel, sizeof plabel, &ilabel) == 0);
    CHECK(log_mapping(dir, v, "score", pscore, sizeof pscore, &iscore) == 0);
    CHECK_STR(plabel, "name"); /* enabled on an existing table: physical = old name */
    json_t *a = commit_actions(dir, v);
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        json_t *add = json_object_get(x, "add");
        if (!add) continue;
        char f[800], sql[3000], want[1200];
        snprintf(f, sizeof f, "%s/%s", dir, json_string_value(json_object_get(add, "path")));
        snprintf(sql, sizeof sql,
                 "SELECT name, field_id FROM parquet_schema('%s') WHERE field_id IS NOT NULL ORDER "
                 "BY field_id",
                 f);
        char *got = duck(sql);
        snprintf(want, sizeof want,
                 "{\"name\":\"%s\",\"field_id\":%lld}\n{\"name\":\"%s\",\"field_id\":%lld}\n{"
                 "\"name\":\"%s\","
                 "\"field_id\":%lld}\n",
                 pid, (long long)iid, plabel, (long long)ilabel, pscore, (long long)iscore);
        CHECK_STR(got, want);
        free(got);
        snprintf(sql, sizeof sql,
                 "SELECT \\\"%s\\\" AS id, \\\"%s\\\" AS label, \\\"%s\\\" AS score FROM "
                 "read_parquet('%s') ORDER BY 1",
                 pid, plabel, pscore, f);
        got = duck(sql);
        CHECK_STR(got, "{\"id\":1,\"label\":\"a\",\"score\":1.5}\n{\"id\":2,\"label\":\"b\","
                       "\"score\":null}\n");
        free(got);
    }
    json_decref(a);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/dlk-colmap-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    RUN(created_mapped_table_writes);
    RUN(rename_drop_and_write_again);
    RUN(refused_changes);
    RUN(merge_schema_and_replace_where);
    RUN(concurrent_renames);
    RUN(nested_rename_and_drop);
    RUN(duckdb_reads_physical_files);
    RUN(golden_name_mode_append);
    RUN(golden_id_mode_append);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
