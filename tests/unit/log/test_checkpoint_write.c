/*
 * Unit tests of log/checkpoint_write.c: a checkpoint written from the typed
 * state replays to the same state as the log it replaces, file for file
 * (deletion vectors, partition values with nulls, tags, row tracking,
 * column-mapping metadata, app transactions, domain metadata, tombstones,
 * expired tombstones dropped), on in-memory logs made here and on copies of
 * tables written by Spark and delta-rs (tests/data); _last_checkpoint says
 * what the protocol asks; with a fault-injecting storage failing the Nth
 * storage call for every N, the table stays readable at the same version
 * and _last_checkpoint never names a missing or partial checkpoint.
 */
#define _POSIX_C_SOURCE 200809L
#include "deltalake/errors.h"
#include "deltalake/sys/storage.h"
#include "harness.h"
#include "log/checkpoint_write.h"
#include "log/replay.h"
#include "log/segment.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/time.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- comparing two replayed states ---- */

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool kvs_eq(const dlk_kvs *a, const dlk_kvs *b)
{
    if (a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++) {
        bool found = false;
        const char *v = dlk_kvs_get(b, a->items[i].key, &found);
        if (!found || !str_eq(v, a->items[i].value)) return false;
    }
    return true;
}

static bool list_eq(const char **a, size_t na, const char **b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++)
        if (!str_eq(a[i], b[i])) return false;
    return true;
}

static bool dv_eq(const dlk_dv *a, const dlk_dv *b)
{
    if (!a || !b) return !a && !b;
    return a->storage_type == b->storage_type && str_eq(a->path_or_inline, b->path_or_inline) &&
           a->has_offset == b->has_offset && (!a->has_offset || a->offset == b->offset) &&
           a->size_in_bytes == b->size_in_bytes && a->cardinality == b->cardinality &&
           a->has_max_row_index == b->has_max_row_index &&
           (!a->has_max_row_index || a->max_row_index == b->max_row_index);
}

static bool add_eq(const dlk_add_action *a, const dlk_add_action *b)
{
    return str_eq(a->path, b->path) && kvs_eq(&a->partition_values, &b->partition_values) &&
           a->size == b->size && a->modification_time == b->modification_time &&
           str_eq(a->stats, b->stats) && kvs_eq(&a->tags, &b->tags) && dv_eq(a->dv, b->dv) &&
           a->has_base_row_id == b->has_base_row_id &&
           (!a->has_base_row_id || a->base_row_id == b->base_row_id) &&
           a->has_default_row_commit_version == b->has_default_row_commit_version &&
           (!a->has_default_row_commit_version ||
            a->default_row_commit_version == b->default_row_commit_version);
}

static bool remove_eq(const dlk_remove_action *a, const dlk_remove_action *b)
{
    return str_eq(a->path, b->path) && a->has_deletion_timestamp == b->has_deletion_timestamp &&
           a->deletion_timestamp == b->deletion_timestamp &&
           a->has_extended_file_metadata == b->has_extended_file_metadata &&
           a->extended_file_metadata == b->extended_file_metadata &&
           a->has_partition_values == b->has_partition_values &&
           kvs_eq(&a->partition_values, &b->partition_values) && a->has_size == b->has_size &&
           a->size == b->size && kvs_eq(&a->tags, &b->tags) && dv_eq(a->dv, b->dv) &&
           a->has_base_row_id == b->has_base_row_id && a->base_row_id == b->base_row_id;
}

/* Is tombstone e of state st expected in a checkpoint of st (cutoff: the
 * expiry time in ms; INT64_MIN: a state not replayed from a new checkpoint,
 * every tombstone expected)? */
static bool tombstone_kept(const dlk_log_state *st, const dlk_map_entry *e, int64_t cutoff)
{
    const dlk_remove_action *r = e->value;
    if (cutoff == INT64_MIN) return true;
    if (r->has_deletion_timestamp && r->deletion_timestamp < cutoff) return false;
    size_t pos = 0;
    dlk_map_entry *f;
    while ((f = dlk_map_next(&st->files, &pos)))
        if (!strcmp(f->key, e->key)) return false; /* the path is live again */
    return true;
}

/* b (replayed from our checkpoint) holds exactly what a holds (replayed
 * from the log), tombstones older than cutoff (ms) excepted. cutoff
 * INT64_MIN: b is not replayed from a checkpoint of ours, so must be a
 * exactly. */
static void check_same_state(const char *what, const dlk_log_state *a, const dlk_log_state *b,
                             int64_t cutoff)
{
    bool ok = true;
#define SAME(cond, ...)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s: ", what);                                                         \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            ok = false;                                                                            \
        }                                                                                          \
    } while (0)
    SAME(a->version == b->version, "version %lld != %lld", (long long)a->version,
         (long long)b->version);
    SAME(a->protocol && b->protocol, "protocol missing");
    if (a->protocol && b->protocol) {
        const dlk_protocol_action *p = a->protocol, *q = b->protocol;
        SAME(p->min_reader_version == q->min_reader_version &&
                 p->min_writer_version == q->min_writer_version &&
                 (p->reader_features == NULL) == (q->reader_features == NULL) &&
                 (p->writer_features == NULL) == (q->writer_features == NULL) &&
                 list_eq(p->reader_features, p->n_reader_features, q->reader_features,
                         q->n_reader_features) &&
                 list_eq(p->writer_features, p->n_writer_features, q->writer_features,
                         q->n_writer_features),
             "protocol differs");
    }
    SAME(a->metadata && b->metadata, "metaData missing");
    if (a->metadata && b->metadata) {
        const dlk_metadata_action *m = a->metadata, *n = b->metadata;
        SAME(str_eq(m->id, n->id) && str_eq(m->name, n->name) &&
                 str_eq(m->description, n->description) &&
                 str_eq(m->schema_string, n->schema_string) &&
                 kvs_eq(&m->format_options, &n->format_options) &&
                 list_eq(m->partition_columns, m->n_partition_columns, n->partition_columns,
                         n->n_partition_columns) &&
                 kvs_eq(&m->configuration, &n->configuration) &&
                 m->has_created_time == n->has_created_time && m->created_time == n->created_time,
             "metaData differs");
        SAME(str_eq(n->format_provider, m->format_provider ? m->format_provider : "parquet"),
             "format.provider differs");
    }
    SAME(a->files.count == b->files.count, "%zu files != %zu", a->files.count, b->files.count);
    size_t pos = 0;
    dlk_map_entry *e;
    while ((e = dlk_map_next(&a->files, &pos))) {
        void *v = NULL;
        bool found = dlk_map_get(&b->files, e->key, e->klen, &v);
        SAME(found, "file %s missing", e->key);
        if (found) SAME(add_eq(e->value, v), "add %s differs", e->key);
        if (found)
            SAME(cutoff == INT64_MIN ? ((dlk_add_action *)v)->data_change ==
                                           ((dlk_add_action *)e->value)->data_change
                                     : !((dlk_add_action *)v)->data_change,
                 "add %s: dataChange differs", e->key);
    }
    SAME(a->txns.count == b->txns.count, "%zu txns != %zu", a->txns.count, b->txns.count);
    pos = 0;
    while ((e = dlk_map_next(&a->txns, &pos))) {
        const dlk_txn_action *t = e->value, *u = dlk_map_get_str(&b->txns, e->key);
        SAME(u && u->version == t->version && u->has_last_updated == t->has_last_updated &&
                 u->last_updated == t->last_updated,
             "txn %s differs", e->key);
    }
    SAME(a->domains.count == b->domains.count, "%zu domains != %zu", a->domains.count,
         b->domains.count);
    pos = 0;
    while ((e = dlk_map_next(&a->domains, &pos))) {
        const dlk_domain_metadata_action *d = e->value, *f = dlk_map_get_str(&b->domains, e->key);
        SAME(f && str_eq(f->configuration, d->configuration) && !f->removed, "domain %s differs",
             e->key);
    }
    size_t kept = 0;
    pos = 0;
    while ((e = dlk_map_next(&a->tombstones, &pos))) {
        void *v = NULL;
        bool found = dlk_map_get(&b->tombstones, e->key, e->klen, &v);
        if (!tombstone_kept(a, e, cutoff)) {
            SAME(!found, "tombstone %s kept", e->key);
            continue;
        }
        kept++;
        SAME(found, "tombstone %s missing", e->key);
        if (found) SAME(remove_eq(e->value, v), "remove %s differs", e->key);
    }
    SAME(kept == b->tombstones.count, "%zu tombstones != %zu", kept, b->tombstones.count);
#undef SAME
    if (!ok) h_cur_failed = 1;
}

/* Replay s at version (-1 latest) with tombstones; *cp_version gets the
 * checkpoint the segment used (-1 none). */
static int replay(dlk_storage *s, int64_t version, dlk_log_state *st, int64_t *cp_version)
{
    dlk_log_segment seg;
    int rc = dlk_log_segment_build(s, version, &seg);
    if (rc) return rc;
    if (cp_version) *cp_version = seg.checkpoint_version;
    rc = dlk_log_replay_ex(s, &seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE, st);
    dlk_log_segment_free(&seg);
    return rc;
}

/* _last_checkpoint of s, parsed (NULL when absent). */
static json_t *last_checkpoint(dlk_storage *s)
{
    uint8_t *d = NULL;
    size_t n = 0;
    if (dlk_storage_get(s, "_delta_log/_last_checkpoint", &d, &n)) {
        dlk_error_clear();
        return NULL;
    }
    json_t *j = json_loadb((const char *)d, n, 0, NULL);
    dlk_storage_bytes_free(d);
    return j;
}

typedef struct {
    int64_t version;
    int n_cpm, n_cpm_right;
} cpm_count;

static int count_cpm(void *ctx, dlk_action *act)
{
    cpm_count *c = ctx;
    if (act->kind == DLK_ACTION_CHECKPOINT_METADATA) {
        c->n_cpm++;
        c->n_cpm_right += act->u.checkpoint_metadata.version == c->version;
    }
    return DLK_OK;
}

static bool v2_feature(const dlk_protocol_action *p)
{
    for (size_t i = 0; p && p->writer_features && i < p->n_writer_features; i++)
        if (!strcmp(p->writer_features[i], "v2Checkpoint")) return true;
    return false;
}

/* Write the checkpoint of version (latest when -1) and check it replays to
 * the state the log gave before; tombstone retention retention_ms. */
static void checkpoint_and_compare(const char *what, dlk_storage *s, int64_t version,
                                   double retention_ms)
{
    dlk_log_state a, b;
    int64_t cpa = -1, cpb = -1;
    int rc = replay(s, version, &a, &cpa);
    CHECK_OK(rc);
    if (rc) return;
    dlk_log_checkpoint_info info = {0};
    int64_t before = dlk_now_micros() / 1000;
    CHECK_OK(dlk_log__checkpoint_write_info(s, a.version, &info));
    rc = replay(s, a.version, &b, &cpb);
    CHECK_OK(rc);
    if (!rc) {
        CHECK_EQ_INT(cpb, a.version);
        check_same_state(what, &a, &b, before - (int64_t)retention_ms);
        CHECK_EQ_INT(info.n_adds, (int64_t)a.files.count);
        bool v2 = v2_feature(a.protocol);
        CHECK_EQ_INT(
            info.n_actions,
            2 + (int64_t)(a.txns.count + a.files.count + b.tombstones.count + a.domains.count) +
                v2);
        char key[80];
        snprintf(key, sizeof key, "_delta_log/%020lld.checkpoint.parquet", (long long)a.version);
        dlk_storage_entry head = {0};
        CHECK_OK(dlk_storage_head(s, key, &head));
        CHECK_EQ_INT(head.size, info.size_bytes);
        /* a V2-spec checkpoint (checkpointMetadata) exactly for v2Checkpoint tables */
        cpm_count cc = {a.version, 0, 0};
        dlk_arena ar = {0};
        CHECK_OK(dlk_log__read_parquet_actions(s, key, &ar, false, count_cpm, &cc));
        dlk_arena_free(&ar);
        CHECK_EQ_INT(cc.n_cpm, v2);
        CHECK_EQ_INT(cc.n_cpm_right, v2);
        if (v2) fprintf(stderr, "  %s: v2Checkpoint table, checkpointMetadata written\n", what);
        json_t *lc = last_checkpoint(s);
        CHECK(lc != NULL);
        CHECK_EQ_INT(json_integer_value(json_object_get(lc, "version")), a.version);
        CHECK_EQ_INT(json_integer_value(json_object_get(lc, "size")), info.n_actions);
        CHECK_EQ_INT(json_integer_value(json_object_get(lc, "sizeInBytes")), head.size);
        CHECK_EQ_INT(json_integer_value(json_object_get(lc, "numOfAddFiles")), info.n_adds);
        json_decref(lc);
        dlk_log_state_free(&b);
    }
    dlk_log_state_free(&a);
}

/* ---- in-memory logs ---- */

static void put_commit(dlk_storage *s, int64_t v, const char *text)
{
    char key[64];
    snprintf(key, sizeof key, "_delta_log/%020lld.json", (long long)v);
    CHECK_OK(dlk_storage_put_if_absent(s, key, text, strlen(text)));
}

#define SCHEMA_CM                                                                                  \
    "{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":["                                                \
    "{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{"  \
    "\\\"delta.columnMapping.id\\\":1,\\\"delta.columnMapping.physicalName\\\":\\\"col-a1\\\"}},"  \
    "{\\\"name\\\":\\\"p\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{" \
    "\\\"delta.columnMapping.id\\\":2,\\\"delta.columnMapping.physicalName\\\":\\\"col-b2\\\"}}]}"

/* A log with every kind of action a checkpoint carries. Removes dated
 * `old_ts` are expired for the default retention. */
static dlk_storage *rich_table(void)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    int64_t now = dlk_now_micros() / 1000, old = now - 30LL * 24 * 3600 * 1000;
    char buf[8192];
    put_commit(s, 0,
               "{\"commitInfo\":{\"timestamp\":1,\"operation\":\"CREATE TABLE\"}}\n"
               "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
               "\"readerFeatures\":[\"columnMapping\",\"deletionVectors\"],"
               "\"writerFeatures\":[\"columnMapping\",\"deletionVectors\",\"domainMetadata\","
               "\"rowTracking\"]}}\n"
               "{\"metaData\":{\"id\":\"t-1\",\"name\":\"rich\",\"description\":\"a table\","
               "\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\"" SCHEMA_CM
               "\",\"partitionColumns\":[\"p\"],\"configuration\":{\"delta.columnMapping.mode\":"
               "\"name\",\"delta.columnMapping.maxColumnId\":\"2\",\"delta.enableDeletionVectors\":"
               "\"true\"},\"createdTime\":1700000000000}}\n");
    snprintf(buf, sizeof buf,
             "{\"add\":{\"path\":\"col-b2=a/f1.parquet\",\"partitionValues\":{\"col-b2\":\"a\"},"
             "\"size\":100,\"modificationTime\":11,\"dataChange\":true,"
             "\"stats\":\"{\\\"numRecords\\\":10,\\\"minValues\\\":{\\\"col-a1\\\":1}}\","
             "\"tags\":{\"INSERTION_TIME\":\"1700000000000000\",\"k\":null},"
             "\"baseRowId\":0,\"defaultRowCommitVersion\":1}}\n"
             "{\"add\":{\"path\":\"col-b2=__HIVE_DEFAULT_PARTITION__/f%%202.parquet\","
             "\"partitionValues\":{\"col-b2\":null},\"size\":200,\"modificationTime\":12,"
             "\"dataChange\":true,\"baseRowId\":10,\"defaultRowCommitVersion\":1}}\n"
             "{\"add\":{\"path\":\"col-b2=b/f3.parquet\",\"partitionValues\":{\"col-b2\":\"b\"},"
             "\"size\":300,\"modificationTime\":13,\"dataChange\":true}}\n"
             "{\"add\":{\"path\":\"col-b2=b/f4.parquet\",\"partitionValues\":{\"col-b2\":\"b\"},"
             "\"size\":400,\"modificationTime\":14,\"dataChange\":true}}\n"
             "{\"add\":{\"path\":\"col-b2=b/f5.parquet\",\"partitionValues\":{\"col-b2\":\"b\"},"
             "\"size\":500,\"modificationTime\":15,\"dataChange\":true}}\n"
             "{\"txn\":{\"appId\":\"app-1\",\"version\":7,\"lastUpdated\":1700000000001}}\n"
             "{\"txn\":{\"appId\":\"app-2\",\"version\":3}}\n"
             "{\"domainMetadata\":{\"domain\":\"delta.rowTracking\",\"configuration\":"
             "\"{\\\"rowIdHighWaterMark\\\":19}\",\"removed\":false}}\n"
             "{\"domainMetadata\":{\"domain\":\"gone\",\"configuration\":\"{}\","
             "\"removed\":false}}\n");
    put_commit(s, 1, buf);
    /* a DV on f1 (path DV with offset) and f3 (inline), removes of the old
     * descriptors; f4 removed long ago (expired), f5 removed now, a removed
     * domain, a txn bumped */
    snprintf(buf, sizeof buf,
             "{\"remove\":{\"path\":\"col-b2=a/f1.parquet\",\"deletionTimestamp\":%lld,"
             "\"dataChange\":true,\"extendedFileMetadata\":true,\"partitionValues\":{\"col-b2\":"
             "\"a\"},\"size\":100,\"baseRowId\":0,\"defaultRowCommitVersion\":1}}\n"
             "{\"add\":{\"path\":\"col-b2=a/f1.parquet\",\"partitionValues\":{\"col-b2\":\"a\"},"
             "\"size\":100,\"modificationTime\":11,\"dataChange\":true,"
             "\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":"
             "\"ab^-aqEH.-t@S}K{vb[*k^\",\"offset\":4,\"sizeInBytes\":40,\"cardinality\":3},"
             "\"baseRowId\":0,\"defaultRowCommitVersion\":1}}\n"
             "{\"remove\":{\"path\":\"col-b2=b/f3.parquet\",\"deletionTimestamp\":%lld,"
             "\"dataChange\":true}}\n"
             "{\"add\":{\"path\":\"col-b2=b/f3.parquet\",\"partitionValues\":{\"col-b2\":\"b\"},"
             "\"size\":300,\"modificationTime\":13,\"dataChange\":true,"
             "\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"wi5b="
             "000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L\","
             "\"sizeInBytes\":30,\"cardinality\":1,\"maxRowIndex\":9}}}\n"
             "{\"remove\":{\"path\":\"col-b2=b/f4.parquet\",\"deletionTimestamp\":%lld,"
             "\"dataChange\":true,\"partitionValues\":{\"col-b2\":\"b\"},\"size\":400}}\n"
             "{\"remove\":{\"path\":\"col-b2=b/f5.parquet\",\"deletionTimestamp\":%lld,"
             "\"dataChange\":true,\"extendedFileMetadata\":false,\"partitionValues\":{\"col-b2\":"
             "\"b\"},\"size\":500,\"tags\":{\"t\":\"1\"}}}\n"
             "{\"remove\":{\"path\":\"gone-no-timestamp.parquet\",\"dataChange\":true}}\n"
             "{\"domainMetadata\":{\"domain\":\"gone\",\"configuration\":\"{}\","
             "\"removed\":true}}\n"
             "{\"txn\":{\"appId\":\"app-2\",\"version\":4,\"lastUpdated\":1700000000002}}\n",
             (long long)now, (long long)now, (long long)old, (long long)now);
    put_commit(s, 2, buf);
    return s;
}

TEST(rich_log_round_trips)
{
    dlk_storage *s = rich_table();
    checkpoint_and_compare("rich", s, -1, 168 * 3600000.0);
    /* what the state holds, by name (the comparison alone would pass on an
     * empty log) */
    dlk_log_state b;
    int64_t cp = -1;
    CHECK_OK(replay(s, -1, &b, &cp));
    CHECK_EQ_INT(cp, 2);
    CHECK_EQ_INT(b.files.count, 5 - 2);
    CHECK_EQ_INT(b.txns.count, 2);
    CHECK_EQ_INT(b.domains.count, 1);
    CHECK(dlk_map_get_str(&b.domains, "delta.rowTracking") != NULL);
    /* f4 expired; the f1/f3 tombstones (path live again under a DV) dropped;
     * f5 and the one without a timestamp kept */
    CHECK_EQ_INT(b.tombstones.count, 2);
    size_t pos = 0;
    dlk_map_entry *e;
    int null_pv = 0, dvs = 0;
    while ((e = dlk_map_next(&b.files, &pos))) {
        const dlk_add_action *a = e->value;
        bool found = false;
        if (a->partition_values.n == 1 && !dlk_kvs_get(&a->partition_values, "col-b2", &found) &&
            found)
            null_pv++;
        if (a->dv) dvs++;
    }
    CHECK_EQ_INT(null_pv, 1);
    CHECK_EQ_INT(dvs, 2);
    dlk_log_state_free(&b);
    /* a checkpoint of an older version next to it; _last_checkpoint stays */
    dlk_log_checkpoint_info info;
    CHECK_OK(dlk_log__checkpoint_write_info(s, 1, &info));
    CHECK(!info.last_checkpoint_written);
    json_t *lc = last_checkpoint(s);
    CHECK_EQ_INT(json_integer_value(json_object_get(lc, "version")), 2);
    json_decref(lc);
    dlk_log_state a1, b1;
    CHECK_OK(replay(s, 1, &b1, &cp));
    CHECK_EQ_INT(cp, 1);
    CHECK_EQ_INT(b1.files.count, 5);
    CHECK_EQ_INT(b1.domains.count, 2);
    dlk_log_state_free(&b1);
    (void)a1;
    dlk_storage_free(&s);
}

TEST(checkpoint_over_checkpoint)
{
    /* commits after a checkpoint of ours: the next checkpoint replays ours
     * (with its tombstones) plus the commits */
    dlk_storage *s = rich_table();
    CHECK_OK(dlk_log__checkpoint_write(s, 2));
    int64_t now = dlk_now_micros() / 1000;
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"remove\":{\"path\":\"col-b2=__HIVE_DEFAULT_PARTITION__/f%%202.parquet\","
             "\"deletionTimestamp\":%lld,\"dataChange\":true,\"partitionValues\":{\"col-b2\":null},"
             "\"size\":200}}\n"
             "{\"add\":{\"path\":\"col-b2=c/f6.parquet\",\"partitionValues\":{\"col-b2\":\"c\"},"
             "\"size\":600,\"modificationTime\":16,\"dataChange\":true}}\n",
             (long long)now);
    put_commit(s, 3, buf);
    checkpoint_and_compare("over", s, 3, 168 * 3600000.0);
    dlk_log_state b;
    CHECK_OK(replay(s, 3, &b, NULL));
    CHECK_EQ_INT(b.files.count, 3);
    CHECK_EQ_INT(b.tombstones.count, 3);
    dlk_log_state_free(&b);
    dlk_storage_free(&s);
}

TEST(retention_setting_expires_tombstones)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    put_commit(s, 0,
               "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
               "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\"},"
               "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\","
               "\"partitionColumns\":[],\"configuration\":{\"delta.deletedFileRetentionDuration\":"
               "\"interval 0 seconds\",\"delta.logRetentionDuration\":\"interval 2 days\","
               "\"delta.enableExpiredLogCleanup\":\"false\"}}}\n"
               "{\"add\":{\"path\":\"a.parquet\",\"partitionValues\":{},\"size\":1,"
               "\"modificationTime\":1,\"dataChange\":true}}\n");
    put_commit(s, 1,
               "{\"remove\":{\"path\":\"a.parquet\",\"deletionTimestamp\":1000,"
               "\"dataChange\":true}}\n");
    dlk_log_checkpoint_info info;
    CHECK_OK(dlk_log__checkpoint_write_info(s, 1, &info));
    CHECK_EQ_INT(info.n_adds, 0);
    CHECK_EQ_INT(info.n_tombstones, 0);
    CHECK_EQ_INT(info.n_actions, 2);
    CHECK(!info.log_cleanup);
    CHECK(info.log_retention_ms == 2 * 24 * 3600000.0);
    checkpoint_and_compare("retention", s, 1, 0);
    dlk_storage_free(&s);
}

TEST(errors)
{
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_memory(&s));
    CHECK_EQ_INT(dlk_log__checkpoint_write(s, 0), DLK_NOT_FOUND);
    put_commit(s, 0,
               "{\"add\":{\"path\":\"a\",\"partitionValues\":{},\"size\":1,"
               "\"modificationTime\":1,\"dataChange\":true}}\n");
    CHECK_EQ_INT(dlk_log__checkpoint_write(s, 0), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "protocol") != NULL);
    CHECK_EQ_INT(dlk_log__checkpoint_write(s, 5), DLK_NOT_FOUND);
    CHECK(last_checkpoint(s) == NULL);
    dlk_storage_free(&s);
}

/* ---- fault injection ---- */

/* Copy every object of src into a new memory storage. */
static dlk_storage *clone_memory(dlk_storage *src)
{
    dlk_storage *d = NULL;
    CHECK_OK(dlk_storage_open_memory(&d));
    dlk_storage_list l = {0};
    CHECK_OK(dlk_storage_list_prefix(src, "", NULL, &l));
    for (size_t i = 0; i < l.count; i++) {
        uint8_t *data = NULL;
        size_t n = 0;
        CHECK_OK(dlk_storage_get(src, l.entries[i].key, &data, &n));
        CHECK_OK(dlk_storage_put(d, l.entries[i].key, data, n));
        dlk_storage_bytes_free(data);
    }
    dlk_storage_list_free(&l);
    return d;
}

/* After a (possibly failed) checkpoint of version ours: the table reads as
 * before and _last_checkpoint, if any, names a complete checkpoint of its
 * size. */
static void check_consistent_at(dlk_storage *s, const dlk_log_state *want, long n, int sticky,
                                int64_t ours)
{
    char what[64];
    snprintf(what, sizeof what, "fail call %ld%s", n, sticky ? " (sticky)" : "");
    dlk_log_state got;
    int64_t cp = -1;
    int rc = replay(s, -1, &got, &cp);
    if (rc) fprintf(stderr, "%s: replay: %s\n", what, dlk_error_last()->message);
    CHECK_OK(rc);
    if (!rc) {
        int64_t cutoff = dlk_now_micros() / 1000 - 168 * 3600000LL;
        check_same_state(what, want, &got, cp == ours ? cutoff : INT64_MIN);
        dlk_log_state_free(&got);
    }
    json_t *lc = last_checkpoint(s);
    if (lc) {
        char key[80];
        snprintf(key, sizeof key, "_delta_log/%020lld.checkpoint.parquet",
                 (long long)json_integer_value(json_object_get(lc, "version")));
        dlk_storage_entry head = {0};
        CHECK_OK(dlk_storage_head(s, key, &head));
        CHECK_EQ_INT(head.size, json_integer_value(json_object_get(lc, "sizeInBytes")));
        json_decref(lc);
    }
}

static void check_consistent(dlk_storage *s, const dlk_log_state *want, long n, int sticky)
{
    check_consistent_at(s, want, n, sticky, 2);
}

TEST(fault_every_call)
{
    dlk_storage *base = rich_table();
    dlk_log_state want;
    CHECK_OK(replay(base, -1, &want, NULL));
    /* a run without faults counts the calls */
    dlk_storage *f = NULL;
    CHECK_OK(dlk_storage_open_fault(clone_memory(base), 0, 0, &f));
    CHECK_OK(dlk_log__checkpoint_write(f, 2));
    long calls = dlk_storage_fault_calls(f);
    CHECK(calls >= 5); /* list, commit reads, put, _last_checkpoint get + put */
    dlk_storage_free(&f);
    int failed = 0, completed = 0;
    for (int sticky = 0; sticky <= 1; sticky++) {
        for (long n = 1; n <= calls + 1; n++) {
            CHECK_OK(dlk_storage_open_fault(clone_memory(base), n, sticky, &f));
            int rc = dlk_log__checkpoint_write(f, 2);
            if (rc) {
                failed++;
                CHECK(rc == DLK_IO);
                dlk_error_clear();
            } else {
                completed++;
            }
            dlk_storage_fault_set(f, 0, 0);
            check_consistent(f, &want, n, sticky);
            if (!rc) {
                /* success: the checkpoint is there and is what replay uses */
                int64_t cp = -1;
                dlk_log_state got;
                CHECK_OK(replay(f, -1, &got, &cp));
                CHECK_EQ_INT(cp, 2);
                dlk_log_state_free(&got);
            }
            dlk_storage_free(&f);
        }
    }
    CHECK(failed > 0);
    CHECK(completed >= 2); /* n = calls + 1 never fails; a failed _last_checkpoint get is a miss */
    dlk_log_state_free(&want);
    dlk_storage_free(&base);
}

/* ---- tables of other writers (tests/data) ---- */

static char g_tmp[256];

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return system(cmd);
}

/* Unpack (or copy) a corpus table to g_tmp/NAME and return its table folder
 * (the folder holding _delta_log) in out. */
static bool corpus_table(const char *rel, const char *sub, char *out, size_t n)
{
    char src[1024], dst[600];
    harness_testdata(src, sizeof src, rel);
    snprintf(dst, sizeof dst, "%s/t%ld", g_tmp, random());
    CHECK_EQ_INT(sh("mkdir -p '%s' %s", dst, ""), 0);
    size_t l = strlen(src);
    if (l > 8 && !strcmp(src + l - 8, ".tar.zst"))
        CHECK_EQ_INT(sh("tar --zstd -xf '%s' -C '%s'", src, dst), 0);
    else
        CHECK_EQ_INT(sh("cp -r '%s' '%s/'", src, dst), 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "find '%s' -type d -name _delta_log -path '*%s*' | head -1", dst,
             sub);
    FILE *p = popen(cmd, "r");
    if (!p) return false;
    char line[1024] = {0};
    bool ok = fgets(line, sizeof line, p) != NULL;
    pclose(p);
    if (!ok) return false;
    line[strcspn(line, "\n")] = 0;
    char *sl = strrchr(line, '/');
    if (sl) *sl = 0;
    snprintf(out, n, "%s", line);
    return true;
}

/* The same on the local backend, over a copy of a Spark-written table with
 * deletion vectors and a checkpoint: no temporary file is left behind. */
TEST(fault_every_call_local)
{
    char root[1024];
    if (!corpus_table("delta/golden/dv-partitioned-with-checkpoint.tar.zst", "", root,
                      sizeof root)) {
        h_cur_failed = 1;
        return;
    }
    char pristine[1040];
    snprintf(pristine, sizeof pristine, "%s.orig", root);
    CHECK_EQ_INT(sh("cp -r '%s' '%s'", root, pristine), 0);
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_local(root, &s));
    dlk_log_state want;
    CHECK_OK(replay(s, -1, &want, NULL));
    dlk_storage *f = NULL;
    CHECK_OK(dlk_storage_open_fault(s, 0, 0, &f));
    CHECK_OK(dlk_log__checkpoint_write(f, want.version));
    long calls = dlk_storage_fault_calls(f);
    dlk_storage_free(&f);
    int failed = 0;
    for (long n = 1; n <= calls; n++) {
        CHECK_EQ_INT(sh("rm -rf '%s' %s", root, ""), 0);
        CHECK_EQ_INT(sh("cp -r '%s' '%s'", pristine, root), 0);
        CHECK_OK(dlk_storage_open_local(root, &s));
        CHECK_OK(dlk_storage_open_fault(s, n, 1, &f));
        int rc = dlk_log__checkpoint_write(f, want.version);
        if (rc) {
            failed++;
            dlk_error_clear();
        }
        dlk_storage_fault_set(f, 0, 0);
        check_consistent_at(f, &want, n, 1, want.version);
        char cmd[2200];
        snprintf(cmd, sizeof cmd, "ls -a '%s/_delta_log' | grep -q tmp", root);
        CHECK(system(cmd) != 0);
        dlk_storage_free(&f);
    }
    CHECK(failed > 0);
    dlk_log_state_free(&want);
}

static void golden(const char *rel, const char *sub)
{
    char root[1024];
    if (!corpus_table(rel, sub, root, sizeof root)) {
        fprintf(stderr, "%s: no table found\n", rel);
        h_cur_failed = 1;
        return;
    }
    dlk_storage *s = NULL;
    CHECK_OK(dlk_storage_open_local(root, &s));
    /* tombstones of these tables are years old: expired for the default
     * retention, so expected to be dropped */
    double ret = 168 * 3600000.0;
    checkpoint_and_compare(rel, s, -1, ret);
    dlk_log_state st;
    int64_t cp = -1;
    CHECK_OK(replay(s, -1, &st, &cp));
    CHECK(st.files.count > 0);
    fprintf(stderr, "  %s: version %lld from checkpoint %lld: %zu files, %zu txns, %zu domains\n",
            rel, (long long)st.version, (long long)cp, st.files.count, st.txns.count,
            st.domains.count);
    dlk_log_state_free(&st);
    dlk_storage_free(&s);
}

TEST(corpus_tables)
{
    golden("delta/golden/dv-partitioned-with-checkpoint.tar.zst", "");
    golden("delta/golden/dv-with-columnmapping.tar.zst", "");
    golden("delta/golden/table-with-columnmapping-mode-name.tar.zst", "");
    golden("delta/golden/table-with-columnmapping-mode-id.tar.zst", "");
    golden("delta/golden/data-reader-partition-values.tar.zst", "");
    golden("delta/golden/basic-with-inserts-deletes-checkpoint.tar.zst", "");
    golden("delta/golden/log-replay-dv-key-cases.tar.zst", "");
    golden("delta/golden/snapshot-vacuumed.tar.zst", "");
    golden("delta/golden/multi-part-checkpoint.tar.zst", "");
    golden("delta/golden/v2-checkpoint-parquet.tar.zst", "");
    golden("delta/kernel/app-txn-checkpoint", "");
    golden("delta/kernel/table-with-dv-small", "");
    golden("delta/kernel/v1-multi-part-partitioned-struct-stats-only", "");
    golden("delta/kernel/parsed-stats", "");
    golden("delta/kernel/with_checkpoint_no_last_checkpoint", "");
    golden("delta/kernel/mixed-nulls", "");
    golden("delta/kernel/v2-checkpoints-parquet-with-sidecars.tar.zst", "");
    golden("delta/kernel/basic_partitioned", "");
}

int main(void)
{
    srandom((unsigned)getpid());
    snprintf(g_tmp, sizeof g_tmp, "/tmp/dlk-cpw-%d", (int)getpid());
    RUN(rich_log_round_trips);
    RUN(checkpoint_over_checkpoint);
    RUN(retention_setting_expires_tombstones);
    RUN(errors);
    RUN(fault_every_call);
    RUN(fault_every_call_local);
    RUN(corpus_tables);
    sh("rm -rf '%s' %s", g_tmp, "");
    return harness_done();
}
