/* C API tests of the table-handle operations that wrap dml.h and
 * maintenance.h (connector.h): upsert and delete counts (with partition
 * paths), history, statistics, operation metrics, optimize, vacuum,
 * restore, auto-optimize and auto-vacuum after writes, and operations
 * disabled by the configuration. Expected values come from the generated
 * input. */
#include "deltalake/deltalake.h"
#include "harness.h"

#include <dirent.h>
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
    const char *pc[] = {"service_name"};
    dlk_config_set_partition_columns(&cfg, pc, 1);
    if (tweak) tweak(&cfg);
    dlk_connector *c = NULL;
    if (dlk_connector_new(&cfg, &c)) fprintf(stderr, "connector: %s\n", dlk_error_last()->message);
    dlk_config_free(&cfg);
    return c;
}

static dlk_table_handle *table(dlk_connector *c)
{
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse(
        "span_id string not null, service_name string not null, status_code int, n long", &s));
    dlk_table_handle *t = NULL;
    CHECK_OK(dlk_connector_get_or_create_table(c, NULL, &s, &t));
    s.release(&s);
    return t;
}

/* rows first..first+n-1: service web when i even else api; status 500 when i % 10 == 3 */
static char *rows(int first, int n)
{
    char *s = malloc((size_t)n * 100 + 1);
    size_t len = 0;
    for (int i = first; i < first + n; i++)
        len += (size_t)sprintf(
            s + len,
            "{\"span_id\":\"s%04d\",\"service_name\":\"%s\",\"status_code\":%d,\"n\":%d}\n", i,
            i % 2 ? "api" : "web", i % 10 == 3 ? 500 : 200, i);
    s[len] = 0;
    return s;
}

static int64_t count(dlk_table_handle *t, const char *filter)
{
    dlk_query *q;
    dlk_query_new(t, &q);
    if (filter) dlk_query_filter(q, filter);
    dlk_records *r = NULL;
    int64_t n = dlk_query_execute(q, &r) ? -1 : (int64_t)dlk_records_count(r);
    dlk_records_free(&r);
    dlk_query_free(&q);
    return n;
}

static int64_t insert(dlk_table_handle *t, int first, int n)
{
    char *s = rows(first, n);
    int64_t k = -1;
    if (dlk_table_handle_bulk_insert(t, s, strlen(s), NULL, &k))
        fprintf(stderr, "insert: %s\n", dlk_error_last()->message);
    free(s);
    return k;
}

/* Parquet files on disk under dir (recursive). */
static int parquet_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strcmp(e->d_name, "_delta_log")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        size_t l = strlen(e->d_name);
        if (l > 8 && !strcmp(e->d_name + l - 8, ".parquet"))
            n++;
        else
            n += parquet_files(p);
    }
    closedir(d);
    return n;
}

static bool has_op(dlk_history *h, const char *op)
{
    for (size_t i = 0; i < dlk_history_count(h); i++)
        if (dlk_history_get(h, i)->operation && !strcmp(dlk_history_get(h, i)->operation, op))
            return true;
    return false;
}

TEST(upsert_delete_history_stats_restore)
{
    dlk_connector *c = conn("ops", NULL);
    dlk_table_handle *t = table(c);
    CHECK_EQ_INT(insert(t, 0, 100), 100); /* v1 */
    /* upsert rows 90..119: 10 updates (status 201), 20 inserts */
    char *s = rows(90, 30);
    for (char *p = s; (p = strstr(p, "\"status_code\":")); p++)
        memcpy(p + 14, "201", 3);
    const char *key[] = {"span_id"};
    dlk_upsert_result ur;
    CHECK_OK(dlk_table_handle_upsert(t, s, strlen(s), key, 1, false, NULL, &ur)); /* v2 */
    free(s);
    CHECK_EQ_INT(ur.rows_updated, 10);
    CHECK_EQ_INT(ur.rows_inserted, 20);
    CHECK_EQ_INT(ur.rows_upserted, 30);
    CHECK_EQ_INT(ur.version, 2);
    /* the handle gives dml.h's whole result */
    CHECK_EQ_INT(ur.attempts, 1);
    CHECK(ur.files_added >= 1 && ur.files_scanned >= 1);
    CHECK_EQ_INT(count(t, NULL), 120);
    CHECK_EQ_INT(count(t, "status_code = 201"), 30);
    /* upsert needs a key */
    CHECK_RC(dlk_table_handle_upsert(t, "", 0, key, 0, false, NULL, &ur), DLK_INVALID_ARGUMENT);
    /* delete status 500 only in the web partition: 500s are odd i -> all in api: nothing in web */
    int64_t del = -1;
    CHECK_OK(
        dlk_table_handle_delete(t, "status_code = 500", "service_name=web", DLK_DML_AUTO, &del));
    CHECK_EQ_INT(del, 0);
    /* in api: i % 10 == 3 for i < 90 (status 500 kept) -> 9 rows */
    CHECK_OK(dlk_table_handle_delete(t, "status_code = 500", "service_name=api", DLK_DML_SOFT,
                                     &del)); /* v3 */
    CHECK_EQ_INT(del, 9);
    CHECK_RC(dlk_table_handle_delete(t, "status_code = 500", "service_name=db", DLK_DML_HARD, &del),
             DLK_PARTITION_NOT_FOUND);
    CHECK_EQ_INT(count(t, NULL), 111);
    /* hard delete of the web rows with n < 10: 0,2,4,6,8 */
    CHECK_OK(dlk_table_handle_delete(t, "n < 10", "service_name=web", DLK_DML_HARD, &del)); /* v4 */
    CHECK_EQ_INT(del, 5);
    CHECK_EQ_INT(count(t, NULL), 106);

    dlk_history *h = NULL;
    CHECK_OK(dlk_table_handle_history(t, 0, &h));
    CHECK_EQ_INT(dlk_history_count(h), 5);
    if (dlk_history_count(h) == 5) {
        const dlk_history_entry *e = dlk_history_get(h, 0);
        CHECK_EQ_INT(e->version, 4);
        CHECK_STR(e->operation, "DELETE");
        CHECK_EQ_INT(dlk_history_get(h, 4)->version, 0);
        CHECK_STR(dlk_history_get(h, 2)->operation, "MERGE");
        CHECK_EQ_INT(dlk_history_get(h, 3)->records_added, 100);
        CHECK(dlk_history_get(h, 5) == NULL);
    }
    dlk_history_free(&h);
    CHECK_OK(dlk_table_handle_history(t, 2, &h));
    CHECK_EQ_INT(dlk_history_count(h), 2);
    dlk_history_free(&h);

    dlk_table_stats st;
    CHECK_OK(dlk_table_handle_stats(t, -1, &st));
    CHECK_EQ_INT(st.version, 4);
    CHECK_EQ_INT(st.partition_count, 2);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(st.file_count, md.num_files);
    CHECK_EQ_INT(st.total_bytes, md.size_bytes);
    dlk_table_metadata_clear(&md);
    /* maintenance.h's whole statistics */
    CHECK(st.min_file_bytes > 0 && st.max_file_bytes >= st.min_file_bytes);
    CHECK(st.deleted_rows > 0); /* the soft delete of v3 */
    CHECK_OK(dlk_table_handle_stats(t, 1, &st));
    CHECK_EQ_INT(st.record_count, 100);

    dlk_op_metrics m;
    CHECK_OK(dlk_table_handle_op_metrics(t, DLK_OP_QUERY, &m));
    CHECK_EQ_INT(m.count, 4); /* the four count() queries so far */
    CHECK(m.p50_ms >= 0 && m.max_ms >= m.p50_ms);
    CHECK_OK(dlk_table_handle_op_metrics(t, DLK_OP_UPSERT, &m));
    CHECK_EQ_INT(m.count,
                 1); /* the keyless upsert is refused by the connector before the DML layer */
    CHECK_EQ_INT(m.errors, 0);
    CHECK_OK(dlk_table_handle_op_metrics(t, DLK_OP_DELETE, &m));
    CHECK_EQ_INT(m.count, 4);
    CHECK_EQ_INT(m.errors, 1); /* PARTITION_NOT_FOUND */
    CHECK_RC(dlk_table_handle_op_metrics(t, (dlk_op_kind)99, &m), DLK_INVALID_ARGUMENT);

    /* optimize: the many small files become one per partition, rows unchanged */
    int64_t removed = 0, added = 0;
    for (int k = 0; k < 3; k++)
        CHECK_EQ_INT(insert(t, 200 + k * 10, 10), 10); /* 3 more small files a partition */
    CHECK_OK(dlk_table_handle_optimize(t, NULL, NULL, 0, &removed, &added));
    CHECK(removed >= 8);
    CHECK_EQ_INT(added, 2);
    CHECK_EQ_INT(count(t, NULL), 136);
    /* vacuum: dry run with retention 0 lists the unreferenced files; the default retention keeps
     * them */
    int64_t would = 0, gone = -1;
    CHECK_OK(dlk_table_handle_vacuum(t, 0, true, &would));
    CHECK(would >= removed);
    CHECK_OK(dlk_table_handle_vacuum(t, -1, false, &gone));
    CHECK_EQ_INT(gone, 0);
    CHECK_RC(dlk_table_handle_vacuum(t, 0, false, &gone),
             DLK_INVALID_ARGUMENT); /* below the table's 168 h */
    /* restore to version 1: the first 100 rows */
    int64_t nv = -1;
    CHECK_OK(dlk_table_handle_restore(t, 1, NULL, &nv));
    CHECK(nv > 4);
    CHECK_EQ_INT(count(t, NULL), 100);
    CHECK_RC(dlk_table_handle_restore(t, -1, NULL, &nv), DLK_INVALID_ARGUMENT);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

static void auto_maint(dlk_config *c)
{
    c->optimize_enabled = true;
    c->optimize_min_files = 3;
    c->vacuum_enabled = true;
    c->vacuum_interval = 4;
    c->retention_hours = 0;
}

TEST(auto_optimize_and_vacuum)
{
    dlk_connector *c = conn("auto", auto_maint);
    dlk_table_handle *t = table(c);
    char path[600];
    snprintf(path, sizeof path, "%s/auto", g_dir);
    /* three writes: 3 small files per partition, not more than 3 yet */
    for (int k = 0; k < 3; k++)
        CHECK_EQ_INT(insert(t, k * 10, 10), 10);
    dlk_table_metadata md;
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.version, 3);
    CHECK_EQ_INT(md.num_files, 6);
    CHECK(strstr(md.schema_json, "span_id") != NULL);
    bool ret0 = false;
    for (size_t i = 0; i < md.n_properties; i++)
        if (!strcmp(md.property_keys[i], "delta.deletedFileRetentionDuration"))
            ret0 = !strcmp(md.property_values[i], "interval 0 hours");
    CHECK(ret0);
    dlk_table_metadata_clear(&md);
    /* the fourth write (version 4): 4 small files > 3 -> optimize (version 5);
     * version 4 % 4 == 0 -> vacuum with retention 0 deletes the compacted files */
    CHECK_EQ_INT(insert(t, 30, 10), 10);
    dlk_history *h = NULL;
    CHECK_OK(dlk_table_handle_history(t, 0, &h));
    CHECK(has_op(h, "OPTIMIZE"));
    CHECK(has_op(h, "VACUUM END"));
    dlk_history_free(&h);
    CHECK_OK(dlk_table_handle_metadata(t, -1, &md));
    CHECK_EQ_INT(md.num_files, 2);
    CHECK_EQ_INT(parquet_files(path), 2); /* the 8 compacted files are gone */
    dlk_table_metadata_clear(&md);
    CHECK_EQ_INT(count(t, NULL), 40);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

static void disabled(dlk_config *c)
{
    c->upsert_enabled = false;
    c->delete_enabled = false;
    c->bulk_insert_enabled = false;
}

TEST(disabled_operations)
{
    dlk_connector *c = conn("off", disabled);
    dlk_table_handle *t = table(c);
    const char *key[] = {"span_id"};
    int64_t n;
    CHECK_RC(dlk_table_handle_bulk_insert(t, "{}", 2, NULL, &n), DLK_UNSUPPORTED);
    CHECK(strstr(dlk_error_last()->message, "bulk_insert_enabled") != NULL);
    CHECK_RC(dlk_table_handle_upsert(t, "{}", 2, key, 1, true, NULL, NULL), DLK_UNSUPPORTED);
    CHECK_RC(dlk_table_handle_delete(t, NULL, NULL, DLK_DML_AUTO, &n), DLK_UNSUPPORTED);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/dlk-ops-XXXXXX");
    if (!mkdtemp(g_dir)) return 1;
    RUN(upsert_delete_history_stats_restore);
    RUN(auto_optimize_and_vacuum);
    RUN(disabled_operations);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
