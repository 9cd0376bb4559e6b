/*
 * log/checkpoint_write.c - classic Parquet checkpoints from the typed
 * replayed state (see checkpoint_write.h): each action is appended to the
 * Arrow builder of its column, a batch is handed to the Parquet writer every
 * BATCH_ROWS rows, the file is built in memory and stored with one put.
 */
#define _POSIX_C_SOURCE 200809L
#include "log/checkpoint_write.h"
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "log/replay.h"
#include "log/segment.h"
#include "parquet/writer.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"

#include <inttypes.h>
#include <string.h>

/* The checkpoint schema (the Delta protocol "Checkpoint Schema"), in the
 * builder's compact notation; the column order of the files this library
 * wrote before, then domainMetadata. */
static const char CHECKPOINT_SPEC[] =
    "txn: +s<appId: u, version: l, lastUpdated: l>, "
    "add: +s<path: u, partitionValues: +m<u, u>, size: l, modificationTime: l, dataChange: b, "
    "stats: u, tags: +m<u, u>, "
    "deletionVector: +s<storageType: u, pathOrInlineDv: u, offset: i, sizeInBytes: i, "
    "cardinality: l, maxRowIndex: l>, "
    "baseRowId: l, defaultRowCommitVersion: l, clusteringProvider: u>, "
    "remove: +s<path: u, deletionTimestamp: l, dataChange: b, extendedFileMetadata: b, "
    "partitionValues: +m<u, u>, size: l, tags: +m<u, u>, "
    "deletionVector: +s<storageType: u, pathOrInlineDv: u, offset: i, sizeInBytes: i, "
    "cardinality: l, maxRowIndex: l>, "
    "baseRowId: l, defaultRowCommitVersion: l>, "
    "metaData: +s<id: u, name: u, description: u, format: +s<provider: u, options: +m<u, u>>, "
    "schemaString: u, partitionColumns: +l<u>, configuration: +m<u, u>, createdTime: l>, "
    "protocol: +s<minReaderVersion: i, minWriterVersion: i, readerFeatures: +l<u>, "
    "writerFeatures: +l<u>>, "
    "domainMetadata: +s<domain: u, configuration: u, removed: b>";
/* Appended for tables with the v2Checkpoint writer feature: the file is then
 * a V2-spec checkpoint under the classic name, which needs this action. */
static const char CHECKPOINT_METADATA_SPEC[] =
    ", checkpointMetadata: +s<version: l, tags: +m<u, u>>";

#define BATCH_ROWS 8192
#define BATCH_BYTES ((size_t)32 << 20)

#define DEFAULT_TOMBSTONE_RETENTION_MS (168 * 3600000.0) /* 1 week */
#define DEFAULT_LOG_RETENTION_MS (30 * 24 * 3600000.0)   /* 30 days */

/* Builders of the columns, looked up once. */
typedef struct {
    dlk_arrow_builder *b;
    dlk_arrow_builder *f[12];
} node;

typedef struct {
    dlk_arrow_builder *root;
    node txn, add, rm, md, md_format, proto, dm, add_dv, rm_dv, cpm; /* cpm.b NULL: none */
    dlk_pq_writer *w;
    int64_t rows;
} cp_writer;

/* Field builders of struct builder b, in the order of names. */
static int bind(dlk_arrow_builder *b, const char *const *names, node *out)
{
    out->b = b;
    for (size_t i = 0; names[i]; i++) {
        if (!b || !(out->f[i] = dlk_arrow_builder_child_by_name(b, names[i])))
            return dlk_err_set(DLK_ERROR, "checkpoint schema: no field %s", names[i]);
    }
    return DLK_OK;
}

enum { T_APP, T_VERSION, T_UPDATED };
static const char *const TXN_F[] = {"appId", "version", "lastUpdated", NULL};
enum { A_PATH, A_PV, A_SIZE, A_MTIME, A_DC, A_STATS, A_TAGS, A_DV, A_BRI, A_DRCV, A_CLUSTER };
static const char *const ADD_F[] = {"path",
                                    "partitionValues",
                                    "size",
                                    "modificationTime",
                                    "dataChange",
                                    "stats",
                                    "tags",
                                    "deletionVector",
                                    "baseRowId",
                                    "defaultRowCommitVersion",
                                    "clusteringProvider",
                                    NULL};
enum { R_PATH, R_TS, R_DC, R_EXT, R_PV, R_SIZE, R_TAGS, R_DV, R_BRI, R_DRCV };
static const char *const RM_F[] = {"path",
                                   "deletionTimestamp",
                                   "dataChange",
                                   "extendedFileMetadata",
                                   "partitionValues",
                                   "size",
                                   "tags",
                                   "deletionVector",
                                   "baseRowId",
                                   "defaultRowCommitVersion",
                                   NULL};
enum { DV_TYPE, DV_PATH, DV_OFFSET, DV_SIZE, DV_CARD, DV_MAXROW };
static const char *const DV_F[] = {"storageType", "pathOrInlineDv", "offset", "sizeInBytes",
                                   "cardinality", "maxRowIndex",    NULL};
enum { M_ID, M_NAME, M_DESC, M_FORMAT, M_SCHEMA, M_PCOLS, M_CONF, M_CREATED };
static const char *const MD_F[] = {"id",
                                   "name",
                                   "description",
                                   "format",
                                   "schemaString",
                                   "partitionColumns",
                                   "configuration",
                                   "createdTime",
                                   NULL};
enum { F_PROVIDER, F_OPTIONS };
static const char *const FMT_F[] = {"provider", "options", NULL};
enum { P_MINR, P_MINW, P_RF, P_WF };
static const char *const PROTO_F[] = {"minReaderVersion", "minWriterVersion", "readerFeatures",
                                      "writerFeatures", NULL};
enum { D_DOMAIN, D_CONF, D_REMOVED };
static const char *const DM_F[] = {"domain", "configuration", "removed", NULL};
enum { C_VERSION, C_TAGS };
static const char *const CPM_F[] = {"version", "tags", NULL};

static int bind_all(cp_writer *cw)
{
    dlk_arrow_builder *r = cw->root;
    int rc = bind(dlk_arrow_builder_child_by_name(r, "txn"), TXN_F, &cw->txn);
    if (!rc) rc = bind(dlk_arrow_builder_child_by_name(r, "add"), ADD_F, &cw->add);
    if (!rc) rc = bind(cw->add.f[A_DV], DV_F, &cw->add_dv);
    if (!rc) rc = bind(dlk_arrow_builder_child_by_name(r, "remove"), RM_F, &cw->rm);
    if (!rc) rc = bind(cw->rm.f[R_DV], DV_F, &cw->rm_dv);
    if (!rc) rc = bind(dlk_arrow_builder_child_by_name(r, "metaData"), MD_F, &cw->md);
    if (!rc) rc = bind(cw->md.f[M_FORMAT], FMT_F, &cw->md_format);
    if (!rc) rc = bind(dlk_arrow_builder_child_by_name(r, "protocol"), PROTO_F, &cw->proto);
    if (!rc) rc = bind(dlk_arrow_builder_child_by_name(r, "domainMetadata"), DM_F, &cw->dm);
    dlk_arrow_builder *cpm = dlk_arrow_builder_child_by_name(r, "checkpointMetadata");
    if (!rc && cpm) rc = bind(cpm, CPM_F, &cw->cpm);
    return rc;
}

static int put_str(dlk_arrow_builder *b, const char *s)
{
    return s ? dlk_arrow_builder_append_string(b, s) : dlk_arrow_builder_append_null(b);
}

static int put_int(dlk_arrow_builder *b, bool has, int64_t v)
{
    return has ? dlk_arrow_builder_append_int(b, v) : dlk_arrow_builder_append_null(b);
}

/* A string map; absent (null) when !present. */
static int put_kvs(dlk_arrow_builder *b, const dlk_kvs *kv, bool present)
{
    if (!present) return dlk_arrow_builder_append_null(b);
    int rc = dlk_arrow_builder_begin(b);
    dlk_arrow_builder *k = dlk_arrow_builder_map_key(b), *v = dlk_arrow_builder_map_value(b);
    for (size_t i = 0; i < kv->n && !rc; i++) {
        rc = dlk_arrow_builder_append_string(k, kv->items[i].key ? kv->items[i].key : "");
        if (!rc) rc = put_str(v, kv->items[i].value);
    }
    return rc ? rc : dlk_arrow_builder_end(b);
}

/* A list of strings; null when items is NULL. */
static int put_list(dlk_arrow_builder *b, const char *const *items, size_t n)
{
    if (!items) return dlk_arrow_builder_append_null(b);
    int rc = dlk_arrow_builder_begin(b);
    dlk_arrow_builder *e = dlk_arrow_builder_child(b, 0);
    for (size_t i = 0; i < n && !rc; i++)
        rc = put_str(e, items[i]);
    return rc ? rc : dlk_arrow_builder_end(b);
}

static int put_dv(const node *n, const dlk_dv *dv)
{
    if (!dv) return dlk_arrow_builder_append_null(n->b);
    char type[2] = {dv->storage_type, 0};
    int rc = dlk_arrow_builder_begin(n->b);
    if (!rc) rc = dlk_arrow_builder_append_string(n->f[DV_TYPE], type);
    if (!rc) rc = put_str(n->f[DV_PATH], dv->path_or_inline);
    if (!rc) rc = put_int(n->f[DV_OFFSET], dv->has_offset, dv->offset);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[DV_SIZE], dv->size_in_bytes);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[DV_CARD], dv->cardinality);
    if (!rc) rc = put_int(n->f[DV_MAXROW], dv->has_max_row_index, dv->max_row_index);
    return rc ? rc : dlk_arrow_builder_end(n->b);
}

/* Hand the rows built so far to the Parquet writer. */
static int flush(cp_writer *cw)
{
    if (dlk_arrow_builder_length(cw->root) == 0) return DLK_OK;
    struct ArrowArray batch;
    int rc = dlk_arrow_builder_finish(cw->root, &batch);
    if (rc) return rc;
    rc = dlk_pq_writer_write(cw->w, &batch);
    dlk_arrow_array_release(&batch);
    return rc;
}

static int row_begin(cp_writer *cw, const node *n)
{
    int rc = dlk_arrow_builder_begin(cw->root);
    return rc ? rc : dlk_arrow_builder_begin(n->b);
}

static int row_end(cp_writer *cw, const node *n)
{
    int rc = dlk_arrow_builder_end(n->b);
    if (!rc) rc = dlk_arrow_builder_end(cw->root);
    if (rc) return rc;
    cw->rows++;
    int64_t len = dlk_arrow_builder_length(cw->root);
    if (len >= BATCH_ROWS || (len % 256 == 0 && dlk_arrow_builder_bytes(cw->root) >= BATCH_BYTES))
        return flush(cw);
    return DLK_OK;
}

static int row_protocol(cp_writer *cw, const dlk_protocol_action *p)
{
    const node *n = &cw->proto;
    int rc = row_begin(cw, n);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[P_MINR], p->min_reader_version);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[P_MINW], p->min_writer_version);
    if (!rc) rc = put_list(n->f[P_RF], p->reader_features, p->n_reader_features);
    if (!rc) rc = put_list(n->f[P_WF], p->writer_features, p->n_writer_features);
    return rc ? rc : row_end(cw, n);
}

static int row_metadata(cp_writer *cw, const dlk_metadata_action *m)
{
    const node *n = &cw->md;
    int rc = row_begin(cw, n);
    if (!rc) rc = put_str(n->f[M_ID], m->id);
    if (!rc) rc = put_str(n->f[M_NAME], m->name);
    if (!rc) rc = put_str(n->f[M_DESC], m->description);
    if (!rc) rc = dlk_arrow_builder_begin(cw->md_format.b);
    if (!rc)
        rc = put_str(cw->md_format.f[F_PROVIDER],
                     m->format_provider ? m->format_provider : "parquet");
    if (!rc) rc = put_kvs(cw->md_format.f[F_OPTIONS], &m->format_options, true);
    if (!rc) rc = dlk_arrow_builder_end(cw->md_format.b);
    if (!rc) rc = put_str(n->f[M_SCHEMA], m->schema_string);
    /* partitionColumns is required: an empty list rather than null */
    static const char *const none[1] = {NULL};
    if (!rc)
        rc = put_list(n->f[M_PCOLS], m->partition_columns ? m->partition_columns : none,
                      m->n_partition_columns);
    if (!rc) rc = put_kvs(n->f[M_CONF], &m->configuration, true);
    if (!rc) rc = put_int(n->f[M_CREATED], m->has_created_time, m->created_time);
    return rc ? rc : row_end(cw, n);
}

static int row_txn(cp_writer *cw, const dlk_txn_action *t)
{
    const node *n = &cw->txn;
    int rc = row_begin(cw, n);
    if (!rc) rc = put_str(n->f[T_APP], t->app_id);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[T_VERSION], t->version);
    if (!rc) rc = put_int(n->f[T_UPDATED], t->has_last_updated, t->last_updated);
    return rc ? rc : row_end(cw, n);
}

static int row_add(cp_writer *cw, const dlk_add_action *a)
{
    const node *n = &cw->add;
    int rc = row_begin(cw, n);
    if (!rc) rc = put_str(n->f[A_PATH], a->path);
    if (!rc) rc = put_kvs(n->f[A_PV], &a->partition_values, true);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[A_SIZE], a->size);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[A_MTIME], a->modification_time);
    if (!rc) rc = dlk_arrow_builder_append_bool(n->f[A_DC], false);
    if (!rc) rc = put_str(n->f[A_STATS], a->stats);
    if (!rc) rc = put_kvs(n->f[A_TAGS], &a->tags, a->tags.n > 0);
    if (!rc) rc = put_dv(&cw->add_dv, a->dv);
    if (!rc) rc = put_int(n->f[A_BRI], a->has_base_row_id, a->base_row_id);
    if (!rc)
        rc =
            put_int(n->f[A_DRCV], a->has_default_row_commit_version, a->default_row_commit_version);
    if (!rc) rc = put_str(n->f[A_CLUSTER], a->clustering_provider);
    return rc ? rc : row_end(cw, n);
}

static int row_remove(cp_writer *cw, const dlk_remove_action *r)
{
    const node *n = &cw->rm;
    int rc = row_begin(cw, n);
    if (!rc) rc = put_str(n->f[R_PATH], r->path);
    if (!rc) rc = put_int(n->f[R_TS], r->has_deletion_timestamp, r->deletion_timestamp);
    if (!rc) rc = dlk_arrow_builder_append_bool(n->f[R_DC], false);
    if (!rc && r->has_extended_file_metadata)
        rc = dlk_arrow_builder_append_bool(n->f[R_EXT], r->extended_file_metadata);
    if (!rc) rc = put_kvs(n->f[R_PV], &r->partition_values, r->has_partition_values);
    if (!rc) rc = put_int(n->f[R_SIZE], r->has_size, r->size);
    if (!rc) rc = put_kvs(n->f[R_TAGS], &r->tags, r->tags.n > 0);
    if (!rc) rc = put_dv(&cw->rm_dv, r->dv);
    if (!rc) rc = put_int(n->f[R_BRI], r->has_base_row_id, r->base_row_id);
    if (!rc)
        rc =
            put_int(n->f[R_DRCV], r->has_default_row_commit_version, r->default_row_commit_version);
    return rc ? rc : row_end(cw, n);
}

static int row_domain(cp_writer *cw, const dlk_domain_metadata_action *d)
{
    const node *n = &cw->dm;
    int rc = row_begin(cw, n);
    if (!rc) rc = put_str(n->f[D_DOMAIN], d->domain);
    if (!rc) rc = put_str(n->f[D_CONF], d->configuration ? d->configuration : "");
    if (!rc) rc = dlk_arrow_builder_append_bool(n->f[D_REMOVED], false);
    return rc ? rc : row_end(cw, n);
}

static int row_checkpoint_metadata(cp_writer *cw, int64_t version)
{
    const node *n = &cw->cpm;
    int rc = row_begin(cw, n);
    if (!rc) rc = dlk_arrow_builder_append_int(n->f[C_VERSION], version);
    return rc ? rc : row_end(cw, n);
}

/* Does the protocol name writer feature f? */
static bool has_writer_feature(const dlk_protocol_action *p, const char *f)
{
    for (size_t i = 0; p->writer_features && i < p->n_writer_features; i++)
        if (p->writer_features[i] && !strcmp(p->writer_features[i], f)) return true;
    return false;
}

static const char *config(const dlk_log_state *st, const char *key)
{
    bool found = false;
    return st->metadata ? dlk_kvs_get(&st->metadata->configuration, key, &found) : NULL;
}

/* Every row of the state; counts in *info. */
static int write_rows(cp_writer *cw, const dlk_log_state *st, dlk_log_checkpoint_info *info)
{
    int rc = row_protocol(cw, st->protocol);
    if (!rc) rc = row_metadata(cw, st->metadata);
    size_t pos = 0;
    dlk_map_entry *e;
    while (!rc && (e = dlk_map_next(&st->txns, &pos)))
        rc = row_txn(cw, e->value);
    pos = 0;
    while (!rc && (e = dlk_map_next(&st->files, &pos))) {
        rc = row_add(cw, e->value);
        info->n_adds++;
    }
    /* Tombstones older than delta.deletedFileRetentionDuration are expired
     * (the protocol lets a checkpoint drop them; vacuum never needs them
     * again), so checkpoints do not grow forever. A tombstone whose path is
     * live again (under another deletion vector) is dropped too. Map keys
     * are "<decoded path>\0<DV id>". */
    double tomb_ms = DEFAULT_TOMBSTONE_RETENTION_MS;
    if (!dlk_interval_ms(config(st, "delta.deletedFileRetentionDuration"), &tomb_ms))
        tomb_ms = DEFAULT_TOMBSTONE_RETENTION_MS;
    int64_t cutoff = dlk_now_micros() / 1000 - (int64_t)tomb_ms;
    /* live paths that have a DV: a tombstone of the same path under
     * another (or no) DV; a tombstone with a DV whose path is live without
     * one is found by the key "<path>\0" in st->files */
    dlk_map dv_live = {0};
    pos = 0;
    while (!rc && st->tombstones.count && (e = dlk_map_next(&st->files, &pos)))
        if (((const dlk_add_action *)e->value)->dv)
            rc = dlk_map_put(&dv_live, e->key, strlen(e->key), (void *)1, NULL);
    pos = 0;
    while (!rc && (e = dlk_map_next(&st->tombstones, &pos))) {
        const dlk_remove_action *r = e->value;
        if (r->has_deletion_timestamp && r->deletion_timestamp < cutoff) continue;
        size_t plen = strlen(e->key);
        if (dlk_map_get(&dv_live, e->key, plen, NULL)) continue;
        if (r->dv && dlk_map_get(&st->files, e->key, plen + 1, NULL)) continue;
        rc = row_remove(cw, r);
        info->n_tombstones++;
    }
    dlk_map_free(&dv_live);
    pos = 0;
    while (!rc && (e = dlk_map_next(&st->domains, &pos)))
        rc = row_domain(cw, e->value);
    if (!rc && cw->cpm.b) rc = row_checkpoint_metadata(cw, st->version);
    if (!rc) rc = flush(cw);
    info->n_actions = cw->rows;
    return rc;
}

/* The checkpoint file's bytes for the replayed state. */
static int build_file(const dlk_log_state *st, dlk_buf *file, dlk_log_checkpoint_info *info)
{
    struct ArrowSchema schema = {0};
    cp_writer cw = {0};
    dlk_buf spec = {0};
    int rc = dlk_buf_puts(&spec, CHECKPOINT_SPEC);
    if (!rc && has_writer_feature(st->protocol, "v2Checkpoint"))
        rc = dlk_buf_puts(&spec, CHECKPOINT_METADATA_SPEC);
    if (!rc) rc = dlk_arrow_schema_parse(dlk_buf_cstr(&spec), &schema);
    dlk_buf_free(&spec);
    if (!rc) rc = dlk_arrow_builder_new(&schema, &cw.root);
    if (!rc) rc = bind_all(&cw);
    if (!rc) rc = dlk_pq_writer_open(&schema, NULL, dlk_pq_sink_buf(file), &cw.w);
    if (!rc) rc = write_rows(&cw, st, info);
    if (cw.w) {
        if (!rc)
            rc = dlk_pq_writer_close(cw.w, NULL);
        else
            dlk_pq_writer_abort(cw.w);
    }
    dlk_arrow_builder_free(cw.root);
    dlk_arrow_schema_release(&schema);
    return rc;
}

int dlk_log__checkpoint_write_info(dlk_storage *s, int64_t version, dlk_log_checkpoint_info *out)
{
    if (version < 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "checkpoint: bad version %" PRId64, version);
    dlk_log_checkpoint_info info = {.version = version};
    dlk_log_segment seg;
    int rc = dlk_log_segment_build(s, version, &seg);
    if (rc) return dlk_err_context(rc, "checkpoint %" PRId64, version);
    dlk_log_state st;
    int64_t t0 = dlk_monotonic_ns();
    rc = dlk_log_replay_ex(s, &seg, DLK_REPLAY_TOMBSTONES | DLK_REPLAY_NO_ACTIVE, &st);
    dlk_log_segment_free(&seg);
    int64_t t1 = dlk_monotonic_ns();
    dlk_buf file = {0}, key = {0}, last = {0};
    if (!rc && (!st.protocol || !st.metadata))
        rc = dlk_err_set(DLK_CORRUPT, "the log has no %s action at version %" PRId64,
                         st.protocol ? "metaData" : "protocol", version);
    if (!rc) rc = build_file(&st, &file, &info);
    int64_t t2 = dlk_monotonic_ns();
    info.size_bytes = (int64_t)file.len;
    if (!rc) rc = dlk_buf_printf(&key, "_delta_log/%020" PRId64 ".checkpoint.parquet", version);
    if (!rc) rc = dlk_storage_put(s, dlk_buf_cstr(&key), file.data, file.len);
    if (!rc) {
        /* _last_checkpoint only moves forward */
        int64_t prev = dlk_log_last_checkpoint_version(s);
        if (prev <= version) {
            rc = dlk_buf_printf(&last,
                                "{\"version\":%" PRId64 ",\"size\":%" PRId64
                                ",\"sizeInBytes\":%zu,\"numOfAddFiles\":%" PRId64 "}\n",
                                version, info.n_actions, file.len, info.n_adds);
            if (!rc) rc = dlk_storage_put(s, "_delta_log/_last_checkpoint", last.data, last.len);
            info.last_checkpoint_written = rc == DLK_OK;
        }
    }
    if (!rc) {
        const char *ec = config(&st, "delta.enableExpiredLogCleanup");
        info.log_cleanup = !ec || !dlk_str_ieq(ec, "false");
        info.log_retention_ms = DEFAULT_LOG_RETENTION_MS;
        if (!dlk_interval_ms(config(&st, "delta.logRetentionDuration"), &info.log_retention_ms))
            info.log_retention_ms = DEFAULT_LOG_RETENTION_MS;
        DLK_DEBUG("checkpoint",
                  "version %" PRId64 ": %" PRId64 " rows (%" PRId64 " adds, %" PRId64
                  " tombstones), %zu bytes; replay %.1f ms, build %.1f ms, store %.1f ms",
                  version, info.n_actions, info.n_adds, info.n_tombstones, file.len,
                  (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6,
                  (double)(dlk_monotonic_ns() - t2) / 1e6);
        if (out) *out = info;
    }
    if (rc) rc = dlk_err_context(rc, "checkpoint %" PRId64, version);
    dlk_log_state_free(&st);
    dlk_buf_free(&file);
    dlk_buf_free(&key);
    dlk_buf_free(&last);
    return rc;
}

int dlk_log__checkpoint_write(dlk_storage *s, int64_t version)
{
    return dlk_log__checkpoint_write_info(s, version, NULL);
}
