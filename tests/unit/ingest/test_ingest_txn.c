/* Unit tests: commits, optimistic concurrency (conflict rules, retries),
 * idempotent txn, create/overwrite through the library API. */
#include "arrow/arrow.h"
#include "core/commit.h"
#include "core/txn.h"
#include "deltalake/write.h"
#include "harness.h"
#include "commit_json.h"
#include "write/write.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[256];

static void mk_table(const char *ddl, const char *part)
{
    snprintf(root, sizeof root, "/tmp/dlk_txn_test.%d.%ld", (int)getpid(), random());
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse(ddl, &s));
    dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
    const char *pc[1] = {part};
    if (part) {
        o.partition_cols = pc;
        o.n_partition_cols = 1;
    }
    int64_t v = -1;
    CHECK_OK(dlk_table_create(root, &s, &o, &v));
    CHECK_EQ_INT(v, 0);
    dlk_arrow_schema_release(&s);
}

static void rm_table(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
}

static int64_t append(const char *text)
{
    dlk_write_result r;
    int rc = dlk_table_write_text(root, text, strlen(text), NULL, &r);
    if (rc) {
        fprintf(stderr, "append: %s\n", dlk_error_last()->message);
        return -1;
    }
    return r.version;
}

/* A commit text with just a commitInfo and one fake add in partition p. */
static void fake_commit(dlk_buf *b, const char *p)
{
    dlk_buf_reset(b);
    dlk_buf_printf(
        b,
        "{\"commitInfo\":{\"operation\":\"WRITE\"}}\n"
        "{\"add\":{\"path\":\"p=%s/f.parquet\",\"partitionValues\":{\"p\":\"%s\"},\"size\":1,"
        "\"modificationTime\":0,\"dataChange\":true}}\n",
        p, p);
}

static bool match_a(void *ctx, const dlk_kvs *pv)
{
    (void)ctx;
    bool found;
    const char *s = dlk_kvs_get(pv, "p", &found);
    return s && !strcmp(s, "a");
}

/* Commit `text` (its leading commitInfo line is replaced by the commit
 * path's) through core/commit, as a transaction that read rv. */
static int commit_loop(const char *root_, int64_t rv, const char *text, size_t n,
                       const dlk_txn_intent *in, int max, int64_t *v, int *attempts)
{
    if (n && !strncmp(text, "{\"commitInfo\"", 13)) {
        const char *nl = memchr(text, '\n', n);
        size_t k = nl ? (size_t)(nl - text) + 1 : n;
        text += k;
        n -= k;
    }
    dlk_commit_req r = {0};
    r.root = root_;
    r.read_version = rv;
    r.operation = "TEST";
    r.body = text;
    r.body_len = n;
    r.intent = *in;
    r.max_attempts = max;
    r.no_hooks = true;
    dlk_commit_res res;
    int rc = dlk_core__commit(&r, &res);
    *v = res.version;
    *attempts = res.attempts;
    return rc;
}

TEST(commit_put_never_overwrites)
{
    mk_table("x int", NULL);
    CHECK_RC(dlk_core__commit_put(root, 0, "{}\n", 3), DLK_ALREADY_EXISTS);
    CHECK_OK(dlk_core__commit_put(root, 1, "{\"commitInfo\":{}}\n", 18));
    CHECK_RC(dlk_core__commit_put(root, 1, "{}\n", 3), DLK_ALREADY_EXISTS);
    int64_t v;
    CHECK_OK(dlk_core__log_latest(root, &v));
    CHECK_EQ_INT(v, 1);
    rm_table();
}

TEST(blind_append_retries_past_winners)
{
    mk_table("x int, p string", "p");
    CHECK_EQ_INT(append("{\"x\":1,\"p\":\"a\"}"), 1);
    CHECK_EQ_INT(append("{\"x\":2,\"p\":\"a\"}"), 2);
    /* our transaction read version 0; versions 1 and 2 won */
    dlk_buf b = {0};
    fake_commit(&b, "a");
    dlk_txn_intent in = {0};
    in.blind_append = true;
    int64_t v = -1;
    int attempts = 0;
    CHECK_OK(commit_loop(root, 0, (const char *)b.data, b.len, &in, 10, &v, &attempts));
    CHECK_EQ_INT(v, 3);
    CHECK_EQ_INT(attempts, 2);
    dlk_buf_free(&b);
    rm_table();
}

TEST(conflicting_overwrite_detected)
{
    mk_table("x int, p string", "p");
    CHECK_EQ_INT(append("{\"x\":1,\"p\":\"a\"}"), 1);
    CHECK_EQ_INT(append("{\"x\":2,\"p\":\"b\"}"), 2); /* concurrent append */
    dlk_buf b = {0};
    fake_commit(&b, "a");
    int64_t v = -1;
    int attempts = 0;
    /* an overwrite of the whole table that read version 1 */
    dlk_txn_intent in = {0};
    in.read_all = true;
    CHECK_RC(commit_loop(root, 1, (const char *)b.data, b.len, &in, 10, &v, &attempts),
             DLK_CONCURRENT_MODIFICATION);
    CHECK_EQ_INT(dlk_error_last()->conflict_version, 2);
    /* replace-where p = 'a' read version 1: the concurrent add went to p=b: no conflict */
    dlk_txn_intent in2 = {0};
    in2.read_match = match_a;
    CHECK_OK(commit_loop(root, 1, (const char *)b.data, b.len, &in2, 10, &v, &attempts));
    CHECK_EQ_INT(v, 3);
    /* the same from version 2 while version 3 (add to p=a) won: conflict */
    CHECK_RC(commit_loop(root, 2, (const char *)b.data, b.len, &in2, 10, &v, &attempts),
             DLK_CONCURRENT_MODIFICATION);
    CHECK_EQ_INT(dlk_error_last()->conflict_version, 3);
    dlk_buf_free(&b);
    rm_table();
}

TEST(metadata_txn_and_remove_conflicts)
{
    mk_table("x int", NULL);
    dlk_buf b = {0};
    dlk_buf_puts(&b, "{\"commitInfo\":{}}\n");
    int64_t v;
    int attempts;
    dlk_txn_intent blind = {0};
    blind.blind_append = true;
    /* a create that finds version 0 taken */
    CHECK_RC(commit_loop(root, -1, (const char *)b.data, b.len, &blind, 10, &v, &attempts),
             DLK_ALREADY_EXISTS);
    /* a metaData change in a winning commit conflicts with anything */
    {
        dlk_txn_state st0;
        CHECK_OK(dlk_core__state_load(root, false, false, &st0));
        dlk_commit_req mr = {0};
        mr.root = root;
        mr.read_version = 0;
        mr.state = &st0;
        mr.operation = "SET TBLPROPERTIES";
        mr.metadata = st0.metadata;
        mr.no_hooks = true;
        dlk_commit_res mres;
        CHECK_OK(dlk_core__commit(&mr, &mres));
        CHECK_EQ_INT(mres.version, 1);
        dlk_core__state_free(&st0);
        CHECK_RC(commit_loop(root, 0, (const char *)b.data, b.len, &blind, 10, &v, &attempts),
                 DLK_CONCURRENT_MODIFICATION);
        CHECK(strstr(dlk_error_last()->message, "metadata") != NULL);
        CHECK_EQ_INT(dlk_error_last()->conflict_version, 1);
    }
    /* an overlapping txn appId */
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.app_id = "app";
    o.app_version = 1;
    CHECK_OK(dlk_table_write_text(root, "{\"x\":1}", 7, &o, NULL));
    dlk_txn_intent tx = {0};
    tx.blind_append = true;
    tx.app_id = "app";
    CHECK_RC(commit_loop(root, 1, (const char *)b.data, b.len, &tx, 10, &v, &attempts),
             DLK_CONCURRENT_MODIFICATION);
    CHECK_EQ_INT(dlk_error_last()->conflict_version, 2);
    tx.app_id = "other";
    CHECK_OK(commit_loop(root, 1, (const char *)b.data, b.len, &tx, 10, &v, &attempts));
    /* a concurrent remove of a file we remove */
    dlk_write_options ov = DLK_WRITE_OPTIONS_INIT;
    ov.mode = DLK_WRITE_OVERWRITE;
    dlk_write_result r;
    CHECK_OK(dlk_table_write_text(root, "{\"x\":2}", 7, &ov, &r));
    CHECK_EQ_INT(r.files_removed, 1);
    json_t *acts;
    CHECK_OK(test_read_commit(root, r.version, &acts));
    const char *removed = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(acts, i, a)
    {
        json_t *rm = json_object_get(a, "remove");
        if (rm) removed = json_string_value(json_object_get(rm, "path"));
    }
    CHECK(removed != NULL);
    dlk_map mine = {0};
    dlk_map_put_str(&mine, removed ? removed : "", (void *)1);
    dlk_txn_intent del = {0};
    del.removes = &mine;
    CHECK_RC(commit_loop(root, r.version - 1, (const char *)b.data, b.len, &del, 10, &v, &attempts),
             DLK_CONCURRENT_MODIFICATION);
    CHECK(strstr(dlk_error_last()->message, "removed concurrently"));
    dlk_map_free(&mine);
    json_decref(acts);
    dlk_buf_free(&b);
    rm_table();
}

TEST(idempotent_and_state)
{
    mk_table("x long not null, p string", "p");
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.app_id = "stream-1";
    o.app_version = 5;
    dlk_write_result r;
    CHECK_OK(
        dlk_table_write_text(root, "{\"x\":1,\"p\":\"a\"}\n{\"x\":2,\"p\":\"b\"}", 31, &o, &r));
    CHECK(!r.skipped);
    CHECK_EQ_INT(r.files_added, 2);
    CHECK_OK(dlk_table_write_text(root, "{\"x\":1,\"p\":\"a\"}", 15, &o, &r));
    CHECK(r.skipped);
    CHECK_EQ_INT(r.version, 1);
    dlk_txn_state st;
    CHECK_OK(dlk_core__state_load(root, true, false, &st));
    CHECK_EQ_INT(st.version, 1);
    CHECK_EQ_INT(st.files.count, 2);
    CHECK_EQ_INT(st.n_part, 1);
    CHECK_STR(st.partition_cols[0], "p");
    CHECK_EQ_INT(((const dlk_txn_action *)dlk_map_get_str(&st.txns, "stream-1"))->version, 5);
    dlk_core__state_free(&st);
    /* create again: ALREADY_EXISTS */
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("x long", &s));
    CHECK_RC(dlk_table_create(root, &s, NULL, NULL), DLK_ALREADY_EXISTS);
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    co.reuse = true;
    int64_t v;
    /* reuse of a table with another schema or partitioning names the difference */
    CHECK_RC(dlk_table_create(root, &s, &co, &v), DLK_ALREADY_EXISTS);
    CHECK(strstr(dlk_error_last()->message, "column 'x'") != NULL);
    dlk_arrow_schema_release(&s);
    CHECK_OK(dlk_schema_parse("x long not null, p string", &s));
    CHECK_RC(dlk_table_create(root, &s, &co, &v), DLK_ALREADY_EXISTS);
    CHECK(strstr(dlk_error_last()->message, "partitioned by (p) there, not ()") != NULL);
    const char *pc[1] = {"p"};
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    v = -1;
    CHECK_OK(dlk_table_create(root, &s, &co, &v));
    CHECK_EQ_INT(v, 1);
    dlk_arrow_schema_release(&s);
    /* checkpoint at the latest version */
    CHECK_OK(dlk_table_checkpoint(root, &v));
    CHECK_EQ_INT(v, 1);
    char p[400];
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000001.checkpoint.parquet", root);
    CHECK(access(p, F_OK) == 0);
    rm_table();
}

TEST(write_errors)
{
    CHECK_RC(dlk_table_write_text("/tmp/dlk_no_such_table_xyz", "{}", 2, NULL, NULL),
             DLK_NOT_FOUND);
    mk_table("x int not null", NULL);
    CHECK_RC(dlk_table_write_text(root, "{\"x\":1}\n{\"x\":99999999999}", 25, NULL, NULL),
             DLK_SCHEMA_MISMATCH);
    CHECK(strstr(dlk_error_last()->message, "line 2: column 'x'"));
    dlk_write_options o = DLK_WRITE_OPTIONS_INIT;
    o.input_format = DLK_INPUT_PARQUET;
    CHECK_RC(dlk_table_write_text(root, "", 0, &o, NULL), DLK_CORRUPT); /* not a Parquet file */
    int64_t v;
    CHECK_OK(dlk_core__log_latest(root, &v));
    CHECK_EQ_INT(v, 0);
    struct ArrowSchema s;
    CHECK_OK(dlk_schema_parse("a int, b struct<c: int>", &s));
    dlk_create_options co = DLK_CREATE_OPTIONS_INIT;
    const char *pc[1] = {"b"};
    co.partition_cols = pc;
    co.n_partition_cols = 1;
    CHECK_RC(dlk_table_create("/tmp/dlk_txn_never", &s, &co, NULL), DLK_UNSUPPORTED);
    pc[0] = "zz";
    CHECK_RC(dlk_table_create("/tmp/dlk_txn_never", &s, &co, NULL), DLK_INVALID_ARGUMENT);
    dlk_arrow_schema_release(&s);
    rm_table();
}

int main(void)
{
    srandom((unsigned)getpid());
    RUN(commit_put_never_overwrites);
    RUN(blind_append_retries_past_winners);
    RUN(conflicting_overwrite_detected);
    RUN(metadata_txn_and_remove_conflicts);
    RUN(idempotent_and_state);
    RUN(write_errors);
    return harness_done();
}
