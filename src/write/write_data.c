/* write/write_data.c - append / overwrite: stream records into Parquet files
 * per partition (hive directories, target file size, stats), then one
 * commit with retries on lost races (see include/deltalake/write.h). */
#define _POSIX_C_SOURCE 200809L
#include "arrow/arrow.h"
#include "arrow/builder.h"
#include "core/commit.h"
#include "core/schema.h"
#include "core/protocol.h"
#include "core/stats.h"
#include "core/txn.h"
#include "deltalake/config.h"
#include "deltalake/write.h"
#include "core/partition.h"
#include "core/metrics.h"
#include "ingest/records.h"
#include "ingest/records_pipe.h"
#include "core/colmap.h"
#include "write/write.h"
#include "parquet/codec.h"
#include "parquet/writer.h"
#include "deltalake/arrow_json.h"
#include "deltalake/expr.h"
#include "deltalake/parquet.h"
#include "deltalake/sys/storage.h"
#include "core/schema_ddl.h"
#include "util/alloc.h"
#include "util/progress.h"
#include "util/error.h"
#include "util/log.h"
#include "util/misc.h"
#include "util/path.h"
#include "util/str.h"
#include "util/time.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HIVE_NULL "__HIVE_DEFAULT_PARTITION__"
/* Streaming bounds of a write (see wctx): memory of the open row groups of
 * all files together, and files open at once. */
#define WRITE_MEM_BUDGET ((size_t)64 << 20)
#define WRITE_MAX_OPEN 128

/* ---- replaceWhere: a predicate over partition columns (core/partition.h) */

typedef struct where {
    dlk_ops__ppred *p;
    size_t n_part;
    char **keys;       /* partitionValues key of each partition column */
    const char **vals; /* scratch: the values of one add */
} where;

static void where_free(where *w)
{
    dlk_ops__ppred_free(&w->p);
    for (size_t i = 0; w->keys && i < w->n_part; i++)
        dlk_free(w->keys[i]);
    dlk_free(w->keys);
    dlk_free(w->vals);
    memset(w, 0, sizeof *w);
}

static int where_parse(const char *s, const dlk_txn_state *st, where *w)
{
    memset(w, 0, sizeof *w);
    w->n_part = st->n_part;
    int rc = dlk_ops__ppred_new("replace_where", s, &st->schema,
                                (const char *const *)st->partition_cols, st->n_part, &w->p);
    if (rc) return rc;
    w->keys = dlk_calloc(st->n_part + 1, sizeof *w->keys);
    w->vals = dlk_calloc(st->n_part + 1, sizeof *w->vals);
    if (!w->keys || !w->vals) rc = dlk_err_nomem();
    bool mapped = dlk_ops__cm_mode(st) > 0; /* partitionValues are keyed by physical names */
    for (size_t k = 0; k < st->n_part && !rc; k++) {
        char pb[512];
        const char *key = st->partition_cols[k];
        if (mapped) key = dlk_ops__cm_col_phys(&st->schema, key, pb, sizeof pb);
        if (!(w->keys[k] = dlk_strdup(key))) rc = dlk_err_nomem();
    }
    if (rc) where_free(w);
    return rc;
}

/* Do the partition values (w->vals) satisfy the predicate? on_error: the
 * answer when a value does not parse (a damaged log). */
static bool where_eval(where *w, bool on_error)
{
    bool m = false;
    if (dlk_ops__ppred_match(w->p, w->vals, &m)) {
        DLK_WARN("write", "replace_where: %s", dlk_error_last()->message);
        dlk_error_clear();
        return on_error;
    }
    return m;
}

/* on the partition values of a file this write adds (an unreadable value
 * does not match) */
static bool where_match(const where *cw, const dlk_kvs *pv)
{
    where *w = (where *)cw;
    for (size_t k = 0; k < w->n_part; k++) {
        bool found;
        w->vals[k] = dlk_kvs_get(pv, w->keys[k], &found);
    }
    return where_eval(w, false);
}

/* on the typed partition values of a winning add (conflicts: an unreadable
 * value counts as read) */
static bool where_match_kvs(void *ctx, const dlk_kvs *pv)
{
    where *w = ctx;
    for (size_t k = 0; k < w->n_part; k++) {
        bool found;
        w->vals[k] = dlk_kvs_get(pv, w->keys[k], &found);
    }
    return where_eval(w, true);
}

/* ---- data files ------------------------------------------------------- */

typedef struct open_file {
    char *dir_rel;          /* hive directory ("a=x/b=y/" or "") */
    dlk_kvs pvals;          /* partitionValues (strings in the wctx arena) */
    char *rel;              /* path relative to the root: the storage key */
    dlk_storage_upload *up; /* the file, visible once committed (file_close) */
    dlk_pq_writer *w;
    size_t buffered; /* dlk_pq_writer_buffered_bytes after the last write */
    uint64_t last_use;
} open_file;

typedef struct wctx {
    const char *root;
    dlk_storage *store; /* on root, opened with the first file */
    const struct ArrowSchema *data_schema;
    const char *const *part_cols;
    size_t n_part;
    /* column mapping (colmap.h): data_schema points to phys, the copy with
     * physical names; part_phys: partitionValues keys (else part_cols) */
    struct ArrowSchema phys;
    char **part_phys;
    dlk_map open;    /* dir_rel -> open_file* */
    dlk_arena arena; /* strings of the adds and partition values */
    dlk_vec adds;    /* dlk_add_action of the committed files */
    dlk_vec written; /* char* keys of the committed files (cleanup on failure) */
    int64_t rows, bytes;
    int counter;
    uint64_t target;
    /* Streaming bounds (a partitioned write keeps a file open per partition):
     * the open row groups of all files together hold at most mem_budget bytes
     * (past it the largest are flushed as row groups), and at most max_open
     * files are open (past it the least recently written is finished; its
     * partition gets a new file when more rows come). */
    size_t mem_budget, buffered;
    size_t max_open;
    uint64_t uses;
    bool flushing;
    int num_indexed;
    const where *check; /* rows must match (replace_where) */
    int compression;    /* dlk_compression (config.h); 0 = SNAPPY */
    int level;          /* codec level, 0: default */
} wctx;

/* Parquet codec and file-name infix of a dlk_compression value. */
static int codec_of(int compression, const char **ext)
{
    switch (compression) {
    case DLK_COMPRESSION_GZIP:
        *ext = ".gz";
        return DLK_PQ_GZIP;
    case DLK_COMPRESSION_ZSTD:
        *ext = ".zstd";
        return DLK_PQ_ZSTD;
    case DLK_COMPRESSION_LZ4:
        *ext = ".lz4raw";
        return DLK_PQ_LZ4_RAW;
    case DLK_COMPRESSION_NONE:
        *ext = "";
        return DLK_PQ_UNCOMPRESSED;
    default:
        *ext = ".snappy";
        return DLK_PQ_SNAPPY;
    }
}

/* URI-encode a relative path for add.path ('%' and reserved bytes). */
static int uri_encode(const char *s, char **out)
{
    static const char hex[] = "0123456789ABCDEF";
    dlk_buf b = {0};
    int rc = DLK_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        bool keep = isalnum(*p) || *p >= 0x80 || strchr("/-._~!$&'()*+,;=:@", *p);
        rc = keep ? dlk_buf_putc(&b, *p)
                  : dlk_buf_append(&b, (char[]){'%', hex[*p >> 4], hex[*p & 15]}, 3);
    }
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b);
    if (!*out) *out = dlk_strdup("");
    return *out ? DLK_OK : dlk_err_nomem();
}

static void open_file_free(open_file *f)
{
    if (!f) return;
    dlk_free(f->dir_rel);
    dlk_free(f->rel);
    dlk_storage_upload_abort(&f->up); /* no-op once committed */
    dlk_free(f);
}

static int dir_for(wctx *c, const char *const *vals, dlk_buf *dir, dlk_kvs *pvals)
{
    memset(pvals, 0, sizeof *pvals);
    for (size_t i = 0; i < c->n_part; i++) {
        char *ek = NULL, *ev = NULL;
        const char *key = c->part_phys ? c->part_phys[i] : c->part_cols[i];
        int rc = dlk_url_encode_path(key, strlen(key), &ek);
        if (!rc && vals[i] && *vals[i]) rc = dlk_url_encode_path(vals[i], strlen(vals[i]), &ev);
        if (!rc) rc = dlk_buf_printf(dir, "%s=%s/", ek, ev ? ev : HIVE_NULL);
        dlk_free(ek);
        dlk_free(ev);
        if (rc) return rc;
        if ((rc = dlk_log_kvs_set(&c->arena, pvals, key, vals[i]))) return rc;
    }
    return DLK_OK;
}

/* The Parquet writer's sink: a streaming upload of the storage layer. */
static int upload_sink_write(void *ctx, const void *p, size_t n)
{
    return dlk_storage_upload_write(ctx, p, n);
}

static int file_open(wctx *c, const char *dir_rel, const dlk_kvs *pvals, open_file **out)
{
    int rc = c->store ? DLK_OK : dlk_storage_open(c->root, &c->store);
    if (rc) return rc;
    open_file *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    f->dir_rel = dlk_strdup(dir_rel);
    f->pvals = *pvals;
    char uuid[37];
    dlk_uuid_string(uuid);
    dlk_buf rel = {0};
    rc = f->dir_rel ? DLK_OK : dlk_err_nomem();
    const char *ext;
    codec_of(c->compression, &ext);
    if (!rc)
        rc =
            dlk_buf_printf(&rel, "%spart-%05d-%s-c000%s.parquet", dir_rel, c->counter++, uuid, ext);
    f->rel = dlk_buf_detach(&rel);
    if (!rc && !f->rel) rc = dlk_err_nomem();
    /* the upload creates the partition folder (local storage) */
    if (!rc) rc = dlk_storage_upload_open(c->store, f->rel, &f->up);
    if (rc) {
        dlk_buf_free(&rel);
        open_file_free(f);
        return rc;
    }
    dlk_pq_writer_options o = DLK_PQ_WRITER_OPTIONS_INIT;
    const char *ext_unused;
    o.codec = codec_of(c->compression, &ext_unused);
    o.level = c->level;
    if (c->target < o.row_group_bytes)
        o.row_group_bytes = c->target < ((size_t)1 << 20) ? ((size_t)1 << 20) : c->target;
    if ((rc = dlk_pq_writer_open(c->data_schema, &o, (dlk_pq_sink){upload_sink_write, f->up},
                                 &f->w))) {
        open_file_free(f);
        return rc;
    }
    *out = f;
    return DLK_OK;
}

static int file_close(wctx *c, open_file *f)
{
    dlk_pq_write_result *res = NULL;
    int rc = dlk_pq_writer_close(f->w, &res);
    f->w = NULL;
    if (rc) {
        dlk_storage_upload_abort(&f->up);
        return rc;
    }
    char *key = dlk_strdup(f->rel);
    if (!key || dlk_vec_push(&c->written, &key)) {
        dlk_free(key);
        dlk_pq_write_result_free(res);
        return dlk_err_nomem();
    }
    /* listed before the commit: a failed commit may still leave the object
     * (the cleanup deletes what exists) */
    if ((rc = dlk_storage_upload_commit(&f->up))) {
        dlk_pq_write_result_free(res);
        return rc;
    }
    dlk_buf stats = {0};
    char *path = NULL;
    rc = dlk_core_stats_json(c->data_schema, res, c->num_indexed, &stats);
    if (!rc) rc = uri_encode(f->rel, &path);
    if (!rc) {
        dlk_add_action add = {0};
        add.path = dlk_arena_strdup(&c->arena, path);
        add.partition_values = f->pvals;
        add.size = (int64_t)res->file_size;
        add.modification_time = dlk_now_micros() / 1000;
        add.data_change = true;
        add.stats = dlk_arena_strdup(&c->arena, dlk_buf_cstr(&stats));
        if (!add.path || !add.stats || dlk_vec_push(&c->adds, &add)) rc = dlk_err_nomem();
        c->rows += res->num_rows;
        c->bytes += (int64_t)res->file_size;
        dlk_progress_add(0, (int64_t)res->file_size, 1, 0);
        DLK_DEBUG("write", "wrote %s: %" PRId64 " rows, %" PRId64 " bytes", f->rel,
                  (int64_t)res->num_rows, (int64_t)res->file_size);
    }
    dlk_free(path);
    dlk_buf_free(&stats);
    dlk_pq_write_result_free(res);
    return rc;
}

static void wctx_cleanup(wctx *c, bool remove_files)
{
    size_t pos = 0;
    dlk_map_entry *e;
    while ((e = dlk_map_next(&c->open, &pos))) {
        open_file *f = e->value;
        dlk_pq_writer_abort(f->w);
        open_file_free(f); /* aborts its upload */
    }
    dlk_map_free(&c->open);
    void *err = remove_files && c->written.len ? dlk_err_save() : NULL; /* the failure's */
    for (size_t i = 0; i < c->written.len; i++) {
        char *p = dlk_vec_at(&c->written, char *, i);
        if (remove_files && c->store) {
            /* partition folders this write left empty go too (local
             * storage; the walk stops at the table root) */
            if (dlk_storage_delete(c->store, p) == DLK_OK) dlk_storage_prune_dirs(c->store, p, 0);
        }
        dlk_free(p);
    }
    dlk_err_restore(err);
    dlk_vec_free(&c->written);
    dlk_storage_free(&c->store);
    dlk_vec_free(&c->adds);
    dlk_arena_free(&c->arena);
    for (size_t i = 0; c->part_phys && i < c->n_part; i++)
        dlk_free(c->part_phys[i]);
    dlk_free(c->part_phys);
    c->part_phys = NULL;
    dlk_arrow_schema_release(&c->phys);
}

/* Column mapping (mode != none): write the data files with the physical
 * names and field ids of table_schema's fields, partition values keyed by
 * the physical names of the partition columns. */
static int wctx_map(wctx *c, const struct ArrowSchema *table_schema, int mode)
{
    if (mode == DLK_CMAP_NONE) return DLK_OK;
    if (mode < 0) return dlk_err_set(DLK_UNSUPPORTED, "unknown delta.columnMapping.mode");
    int rc = dlk_ops__cm_physical(c->data_schema, &c->phys);
    if (rc) return rc;
    c->data_schema = &c->phys;
    if (!c->n_part) return DLK_OK;
    if (!(c->part_phys = dlk_calloc(c->n_part, sizeof(char *)))) return dlk_err_nomem();
    for (size_t i = 0; i < c->n_part; i++) {
        char buf[512];
        if (!(c->part_phys[i] =
                  dlk_strdup(dlk_ops__cm_col_phys(table_schema, c->part_cols[i], buf, sizeof buf))))
            return dlk_err_nomem();
    }
    return DLK_OK;
}

/* Keep the open files within c->max_open and their buffered row groups
 * within c->mem_budget (see wctx). */
static int enforce_bounds(wctx *c)
{
    while (c->open.count > c->max_open) {
        size_t pos = 0;
        dlk_map_entry *e, *lru = NULL;
        while ((e = dlk_map_next(&c->open, &pos)))
            if (!lru || ((open_file *)e->value)->last_use < ((open_file *)lru->value)->last_use)
                lru = e;
        open_file *f = lru->value;
        void *old;
        dlk_map_remove(&c->open, f->dir_rel, strlen(f->dir_rel), &old);
        c->buffered -= f->buffered;
        int rc = file_close(c, f);
        open_file_free(f);
        if (rc) return rc;
    }
    /* over the budget: flush the largest row groups until half of it is
     * free, so that one round of flushes serves many batches */
    while (c->buffered > c->mem_budget / 2 && (c->buffered > c->mem_budget || c->flushing)) {
        c->flushing = true;
        size_t pos = 0;
        dlk_map_entry *e;
        open_file *big = NULL;
        while ((e = dlk_map_next(&c->open, &pos)))
            if (!big || ((open_file *)e->value)->buffered > big->buffered) big = e->value;
        if (!big || !big->buffered) break;
        int rc = dlk_pq_writer_flush_row_group(big->w);
        if (rc) return rc;
        size_t before = big->buffered;
        c->buffered -= big->buffered;
        big->buffered = dlk_pq_writer_buffered_bytes(big->w);
        c->buffered += big->buffered;
        if (big->buffered >= before) break; /* nothing left to give back */
    }
    c->flushing = false;
    return DLK_OK;
}

static int write_batch(wctx *c, struct ArrowArray *batch, const char *const *vals)
{
    dlk_buf dir = {0};
    dlk_kvs pvals = {0};
    int rc = c->n_part ? dir_for(c, vals, &dir, &pvals) : DLK_OK;
    if (rc) goto out;
    if (c->check && c->n_part && !where_match(c->check, &pvals)) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "written rows of partition '%s' do not match the replace_where predicate",
                         dlk_buf_cstr(&dir));
        goto out;
    }
    const char *key = dlk_buf_cstr(&dir);
    open_file *f = dlk_map_get_str(&c->open, key);
    if (!f) {
        if ((rc = file_open(c, key, &pvals, &f))) goto out;
        if ((rc = dlk_map_put_str(&c->open, key, f))) {
            dlk_pq_writer_abort(f->w);
            open_file_free(f);
            goto out;
        }
    }
    if ((rc = dlk_pq_writer_write(f->w, batch))) goto out;
    if ((rc = dlk_progress_add(batch->length, 0, 0, 0))) goto out;
    f->last_use = ++c->uses;
    c->buffered -= f->buffered;
    f->buffered = dlk_pq_writer_buffered_bytes(f->w);
    c->buffered += f->buffered;
    if (dlk_pq_writer_estimated_size(f->w) >= c->target) {
        void *old;
        dlk_map_remove(&c->open, key, strlen(key), &old);
        c->buffered -= f->buffered;
        rc = file_close(c, f);
        open_file_free(f);
        if (rc) goto out;
    }
    rc = enforce_bounds(c);
out:
    dlk_buf_free(&dir);
    return rc;
}

static int close_all(wctx *c)
{
    size_t pos = 0;
    dlk_map_entry *e;
    int rc = DLK_OK;
    while ((e = dlk_map_next(&c->open, &pos))) {
        open_file *f = e->value;
        if (!rc)
            rc = file_close(c, f);
        else
            dlk_pq_writer_abort(f->w);
        open_file_free(f);
    }
    dlk_map_free(&c->open);
    /* durable already: each upload's commit fsynced the file and its
     * folder, and the folders it created were fsynced in their parents */
    return rc;
}

/* ---- data files for rewrites (write_int.h) ------------------------------- */

struct dlk_ops__files {
    wctx c;
};

int dlk_ops__files_new(const char *root, const struct ArrowSchema *data_schema,
                       const char *const *part_cols, size_t n_part, uint64_t target,
                       int num_indexed, dlk_ops__files **out)
{
    dlk_ops__files *f = dlk_calloc(1, sizeof *f);
    if (!f) return dlk_err_nomem();
    f->c.written.elem = sizeof(char *);
    f->c.adds.elem = sizeof(dlk_add_action);
    f->c.root = root;
    f->c.data_schema = data_schema;
    f->c.part_cols = part_cols;
    f->c.n_part = n_part;
    f->c.target = target ? target : ((uint64_t)128 << 20);
    f->c.num_indexed = num_indexed;
    f->c.mem_budget = WRITE_MEM_BUDGET;
    f->c.max_open = WRITE_MAX_OPEN;
    *out = f;
    return DLK_OK;
}

int dlk_ops__files_map(dlk_ops__files *f, const dlk_txn_state *st)
{
    return wctx_map(&f->c, &st->schema, dlk_ops__cm_mode(st));
}

int dlk_ops__files_write(dlk_ops__files *f, struct ArrowArray *batch, const char *const *part_vals)
{
    return batch->length > 0 ? write_batch(&f->c, batch, part_vals) : DLK_OK;
}

int dlk_ops__files_cut(dlk_ops__files *f)
{
    size_t pos = 0;
    dlk_map_entry *e;
    int rc = DLK_OK;
    while ((e = dlk_map_next(&f->c.open, &pos))) {
        open_file *of = e->value;
        if (!rc)
            rc = file_close(&f->c, of);
        else
            dlk_pq_writer_abort(of->w);
        open_file_free(of);
    }
    dlk_map_free(&f->c.open);
    f->c.buffered = 0;
    return rc;
}

/* Append the add actions of the committed files to lines. */
static int adds_to_lines(const wctx *c, bool data_change, dlk_buf *lines)
{
    int rc = DLK_OK;
    for (size_t i = 0; i < c->adds.len && !rc; i++) {
        dlk_action a = {.kind = DLK_ACTION_ADD};
        a.u.add = dlk_vec_at(&c->adds, dlk_add_action, i);
        a.u.add.data_change = data_change;
        rc = dlk_log_action_to_json(&a, lines);
    }
    return rc;
}

int dlk_ops__files_finish(dlk_ops__files *f, bool data_change, dlk_buf *lines, int64_t *n_files,
                          int64_t *rows, int64_t *bytes)
{
    int rc = close_all(&f->c);
    if (!rc) rc = adds_to_lines(&f->c, data_change, lines);
    if (rc) return rc;
    if (n_files) *n_files = (int64_t)f->c.adds.len;
    if (rows) *rows = f->c.rows;
    if (bytes) *bytes = f->c.bytes;
    return DLK_OK;
}

void dlk_ops__files_free(dlk_ops__files **fp, bool remove)
{
    if (!fp || !*fp) return;
    wctx_cleanup(&(*fp)->c, remove);
    dlk_free(*fp);
    *fp = NULL;
}

/* ---- Parquet input ------------------------------------------------------- */

/* Types must match exactly (after the reader's normalisation); nullability of
 * the file may be stricter than the table's, not looser (nulls are caught by
 * the writer). */
static bool same_type(const struct ArrowSchema *a, const struct ArrowSchema *b)
{
    if (strcmp(a->format, b->format) || a->n_children != b->n_children) return false;
    for (int64_t i = 0; i < a->n_children; i++)
        if (!same_type(a->children[i], b->children[i])) return false;
    return true;
}

/* Read row group rg of the input file, columns cols (by name), checking
 * their types against the table's fields (fields[i] for cols[i]). */
static int read_input_row_group(dlk_pq_file *f, int rg, const struct ArrowSchema *const *fields,
                                const char **cols, size_t n, struct ArrowSchema *fs,
                                struct ArrowArray *fa)
{
    int rc = dlk_pq_read_row_group(f, rg, cols, n, fs, fa);
    if (rc == DLK_NOT_FOUND)
        return dlk_err_schema_mismatch("column present", "missing", "parquet input: %s",
                                       dlk_error_last()->message);
    if (rc) return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!same_type(fs->children[i], fields[i])) {
            dlk_buf e = {0}, a = {0};
            dlk_core_type_name(fields[i], &e);
            dlk_core_type_name(fs->children[i], &a);
            rc = dlk_err_schema_mismatch(dlk_buf_cstr(&e), dlk_buf_cstr(&a),
                                         "parquet input: column '%s': expected %s, got %s", cols[i],
                                         dlk_buf_cstr(&e), dlk_buf_cstr(&a));
            dlk_buf_free(&e);
            dlk_buf_free(&a);
        }
    }
    if (rc) {
        dlk_arrow_array_release(fa);
        dlk_arrow_schema_release(fs);
    }
    return rc;
}

/* Feed the row groups of a Parquet file (bytes in memory) to the writer,
 * projected to the data columns of an unpartitioned table. */
static int feed_parquet(wctx *c, const struct ArrowSchema *table_schema, const uint8_t *data,
                        size_t len)
{
    dlk_pq_file *f = NULL;
    int rc = dlk_pq_open_memory(data, len, "input", &f);
    if (rc) return rc;
    size_t n = (size_t)table_schema->n_children;
    const char **cols = dlk_calloc(n ? n : 1, sizeof(char *));
    if (!cols) {
        dlk_pq_close(&f);
        return dlk_err_nomem();
    }
    for (size_t i = 0; i < n; i++)
        cols[i] = table_schema->children[i]->name;
    for (int rg = 0; rg < dlk_pq_num_row_groups(f) && !rc; rg++) {
        struct ArrowSchema fs;
        struct ArrowArray fa;
        if ((rc = read_input_row_group(f, rg,
                                       (const struct ArrowSchema *const *)table_schema->children,
                                       cols, n, &fs, &fa)))
            break;
        if (fa.length > 0) rc = write_batch(c, &fa, NULL);
        dlk_arrow_array_release(&fa);
        dlk_arrow_schema_release(&fs);
    }
    dlk_free(cols);
    dlk_pq_close(&f);
    return rc;
}

/* ---- Parquet input into a partitioned table ------------------------------ */

/* Rows of one partition within a row group. */
typedef struct pgroup {
    char **vals; /* n_part partition values (owned; NULL: null) */
    int64_t *rows;
    size_t n, cap;
} pgroup;

/* Splitting the row groups of a Parquet file by partition value. */
typedef struct psplit {
    wctx *c;
    dlk_records_reader *r; /* partition-value rules of the record path */
    const dlk_records_options *ro;
    size_t n_part;
    int64_t *pcol;  /* per partition column: index in the read columns (value or
                     * bucket source), -1: not in the file */
    bool *pnull_ok; /* per partition column: nullable, or given by the path */
    /* current row group */
    const struct ArrowSchema *fs;
    const struct ArrowArray *fa;
    int64_t row_base; /* rows of the earlier row groups (messages) */
    /* scratch of one row */
    char (*tbuf)[64];
    const char **vptr;
    size_t *vlen;
    char **vown; /* fallback texts (owned) */
    char *jb;
    size_t jlen, jcap;
    dlk_buf key;
    dlk_map index;  /* key -> group number + 1 */
    dlk_vec groups; /* pgroup */
} psplit;

/* The fallback: the value rendered as JSON by the arrow_json conventions and
 * given to the record converter's partition-value rules (floats, decimals,
 * bucket sources of other types), exactly as the NDJSON path renders them. */
static int pvalue_json(psplit *x, size_t k, const struct ArrowSchema *f, const struct ArrowArray *a,
                       int64_t row)
{
    json_t *v = NULL;
    if (a) {
        x->jlen = 0;
        int rc = dlk_arrow_json_value(f, a, x->fa->offset + row, 0, &x->jb, &x->jlen, &x->jcap);
        if (rc) return rc;
        v = json_loadb(x->jb, x->jlen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (!v) return dlk_err_set(DLK_ERROR, "parquet input: value of '%s' as JSON", f->name);
    }
    /* messages count the file's rows as lines */
    int rc = dlk_ops_records_part_json(x->r, k, v, x->row_base + row + 1, &x->vown[k]);
    json_decref(v);
    if (rc) return dlk_err_context(rc, "parquet input");
    x->vptr[k] = x->vown[k];
    x->vlen[k] = x->vown[k] ? strlen(x->vown[k]) : 0;
    return rc;
}

/* Partition value k of row `row` into x->vptr[k] / vlen[k] (NULL: null), as
 * the record path makes it: strings as they are, integers in decimal,
 * dates YYYY-MM-DD, timestamps "YYYY-MM-DD HH:MM:SS[.ffffff]", hash buckets
 * of the source's text. */
static int pvalue(psplit *x, size_t k, int64_t row)
{
    x->vptr[k] = NULL;
    x->vlen[k] = 0;
    bool bucket = x->ro->bucket_src && x->ro->bucket_src[k];
    int64_t p = x->pcol[k];
    const struct ArrowArray *a = p >= 0 ? x->fa->children[p] : NULL;
    const struct ArrowSchema *f = p >= 0 ? x->fs->children[p] : NULL;
    bool valid = a && dlk_arrow_is_valid(a, x->fa->offset + row);
    const char *fmt = f ? f->format : "";
    int64_t i = a ? a->offset + x->fa->offset + row : 0;
    char *t = x->tbuf[k];
    const char *s = NULL; /* value text (bucket source or partition value) */
    size_t n = 0;
    if (!valid) {
        if (bucket) {
            s = "", n = 0;
        } else if (!x->pnull_ok[k]) {
            const char *col = x->ro->partition_cols[k];
            const struct ArrowSchema *ts = dlk_ops_records_schema(x->r);
            int64_t ti = dlk_arrow_schema_find(ts, col);
            dlk_buf e = {0};
            if (ti >= 0) dlk_core_type_name(ts->children[ti], &e);
            int rc = dlk_err_schema_mismatch(
                dlk_buf_cstr(&e), "null",
                "parquet input: row %" PRId64
                ": partition column '%s': expected %s not null, got %s",
                x->row_base + row + 1, col, dlk_buf_cstr(&e), a ? "null" : "a missing column");
            dlk_buf_free(&e);
            return rc;
        } else {
            return DLK_OK;
        }
    } else if (!strcmp(fmt, "u")) {
        const int32_t *off = a->buffers[1];
        s = (const char *)a->buffers[2] + off[i];
        n = (size_t)(off[i + 1] - off[i]);
    } else if (strchr("csil", fmt[0]) && !fmt[1]) {
        int64_t v = fmt[0] == 'c'   ? ((const int8_t *)a->buffers[1])[i]
                    : fmt[0] == 's' ? ((const int16_t *)a->buffers[1])[i]
                    : fmt[0] == 'i' ? ((const int32_t *)a->buffers[1])[i]
                                    : ((const int64_t *)a->buffers[1])[i];
        n = (size_t)snprintf(t, 64, "%" PRId64, v);
        s = t;
    } else if (!strcmp(fmt, "b")) {
        bool v = dlk_bit_get(a->buffers[1], i);
        s = v ? "true" : "false", n = v ? 4 : 5;
    } else if (!bucket && !strcmp(fmt, "tdD")) {
        n = dlk_format_date(((const int32_t *)a->buffers[1])[i], t);
        s = t;
    } else if (!bucket && (!strcmp(fmt, "tsu:UTC") || !strcmp(fmt, "tsu:"))) {
        n = dlk_format_timestamp(((const int64_t *)a->buffers[1])[i], false, t);
        t[10] = ' ';
        if (n >= 26 && !strcmp(t + 19, ".000000")) t[19] = 0, n = 19;
        s = t;
    } else {
        return pvalue_json(x, k, f, a, row);
    }
    if (bucket) {
        n = (size_t)snprintf(t, 64, "%d", dlk_ops_bucket_of(s, n, x->ro->bucket_n[k]));
        s = t;
    }
    x->vptr[k] = s;
    x->vlen[k] = n;
    return DLK_OK;
}

static void groups_clear(psplit *x)
{
    for (size_t g = 0; g < x->groups.len; g++) {
        pgroup *pg = &dlk_vec_at(&x->groups, pgroup, g);
        for (size_t k = 0; k < x->n_part; k++)
            dlk_free(pg->vals[k]);
        dlk_free(pg->vals);
        dlk_free(pg->rows);
    }
    x->groups.len = 0;
    dlk_map_free(&x->index);
}

/* Sort the rows of the current row group into groups of equal partition values. */
static int split_rows(psplit *x, int64_t n_rows)
{
    int rc = DLK_OK;
    for (int64_t row = 0; row < n_rows && !rc; row++) {
        x->key.len = 0;
        for (size_t k = 0; k < x->n_part && !rc; k++) {
            dlk_free(x->vown[k]);
            x->vown[k] = NULL;
            if ((rc = pvalue(x, k, row))) break;
            /* key: each value then \x1f; a null is \x1e */
            rc = x->vptr[k] ? dlk_buf_append(&x->key, x->vptr[k], x->vlen[k])
                            : dlk_buf_putc(&x->key, '\x1e');
            if (!rc) rc = dlk_buf_putc(&x->key, '\x1f');
        }
        if (rc) break;
        void *hit = NULL;
        pgroup *pg;
        if (dlk_map_get(&x->index, x->key.data, x->key.len, &hit)) {
            pg = &dlk_vec_at(&x->groups, pgroup, (uintptr_t)hit - 1);
        } else {
            pgroup ng = {0};
            if (!(ng.vals = dlk_calloc(x->n_part + 1, sizeof *ng.vals))) return dlk_err_nomem();
            for (size_t k = 0; k < x->n_part && !rc; k++)
                if (x->vptr[k] && !(ng.vals[k] = dlk_strndup(x->vptr[k], x->vlen[k])))
                    rc = dlk_err_nomem();
            if (!rc) rc = dlk_vec_push(&x->groups, &ng);
            if (!rc)
                rc = dlk_map_put(&x->index, x->key.data, x->key.len,
                                 (void *)(uintptr_t)x->groups.len, NULL);
            if (rc) {
                for (size_t k = 0; k < x->n_part; k++)
                    dlk_free(ng.vals[k]);
                dlk_free(ng.vals);
                break;
            }
            pg = &dlk_vec_at(&x->groups, pgroup, x->groups.len - 1);
        }
        if (pg->n == pg->cap) {
            size_t nc = pg->cap ? pg->cap * 2 : 256;
            int64_t *nr = dlk_realloc(pg->rows, nc * sizeof *nr);
            if (!nr) return dlk_err_nomem();
            pg->rows = nr;
            pg->cap = nc;
        }
        pg->rows[pg->n++] = row;
    }
    return rc;
}

/* A column of n nulls of field f's type. */
static int null_array(const struct ArrowSchema *f, int64_t n, struct ArrowArray *out)
{
    struct ArrowSchema copy;
    dlk_arrow_builder *b = NULL;
    int rc = dlk_arrow_schema_copy(f, &copy);
    if (rc) return rc;
    copy.flags |= ARROW_FLAG_NULLABLE;
    rc = dlk_arrow_builder_new(&copy, &b);
    for (int64_t i = 0; i < n && !rc; i++)
        rc = dlk_arrow_builder_append_null(b);
    if (!rc) rc = dlk_arrow_builder_finish(b, out);
    dlk_arrow_builder_free(b);
    dlk_arrow_schema_release(&copy);
    return rc;
}

static void borrowed_release(struct ArrowArray *a)
{
    a->release = NULL;
}

/* Feed a Parquet file (bytes in memory) to the writer of a partitioned
 * table: each row group is read once (the table's columns the file has,
 * types checked), its rows are split by partition value (as the record
 * path renders them; hash buckets from their source), and each partition's
 * rows go to its files as one batch of the data columns (columns the file
 * lacks are null; a NOT NULL one is a SCHEMA_MISMATCH). With a partition
 * path (pp), values come from it as for records. */
static int feed_parquet_partitioned(wctx *c, const struct ArrowSchema *table_schema,
                                    dlk_records_reader *r, const dlk_records_options *ro,
                                    const dlk_ops__ppath *pp, const char **pvals,
                                    const uint8_t *data, size_t len)
{
    dlk_pq_file *f = NULL;
    int rc = dlk_pq_open_memory(data, len, "input", &f);
    if (rc) return rc;
    const struct ArrowSchema *ds = dlk_ops_records_data_schema(r); /* logical names */
    size_t nt = (size_t)table_schema->n_children, n = 0, np = ro->n_partition_cols;
    size_t nd = (size_t)ds->n_children;
    const char **cols = dlk_calloc(nt + 1, sizeof(char *));
    const struct ArrowSchema **fields = dlk_calloc(nt + 1, sizeof *fields);
    int64_t *dcol = dlk_calloc(nd + 1, sizeof *dcol); /* data column -> read column or -1 */
    struct ArrowArray *nulls = dlk_calloc(nd + 1, sizeof *nulls);
    struct ArrowArray **kids = dlk_calloc(nd + 1, sizeof *kids);
    struct ArrowSchema file_schema = {0};
    psplit x = {0};
    x.c = c;
    x.r = r;
    x.ro = ro;
    x.n_part = np;
    x.groups.elem = sizeof(pgroup);
    x.pcol = dlk_calloc(np + 1, sizeof *x.pcol);
    x.pnull_ok = dlk_calloc(np + 1, sizeof *x.pnull_ok);
    x.tbuf = dlk_calloc(np + 1, sizeof *x.tbuf);
    x.vptr = dlk_calloc(np + 1, sizeof *x.vptr);
    x.vlen = dlk_calloc(np + 1, sizeof *x.vlen);
    x.vown = dlk_calloc(np + 1, sizeof *x.vown);
    if (!cols || !fields || !dcol || !nulls || !kids || !x.pcol || !x.pnull_ok || !x.tbuf ||
        !x.vptr || !x.vlen || !x.vown)
        rc = dlk_err_nomem();
    if (!rc) rc = dlk_pq_get_schema(f, &file_schema);
    /* the table's columns the file has, in table order */
    for (size_t i = 0; !rc && i < nt; i++) {
        if (dlk_arrow_schema_find(&file_schema, table_schema->children[i]->name) < 0) continue;
        cols[n] = table_schema->children[i]->name;
        fields[n++] = table_schema->children[i];
    }
    if (file_schema.release) dlk_arrow_schema_release(&file_schema);
    for (size_t k = 0; !rc && k < np; k++) {
        const char *src =
            ro->bucket_src && ro->bucket_src[k] ? ro->bucket_src[k] : ro->partition_cols[k];
        x.pcol[k] = -1;
        for (size_t j = 0; j < n; j++)
            if (!strcmp(cols[j], src)) x.pcol[k] = (int64_t)j;
        int64_t ti = dlk_arrow_schema_find(table_schema, ro->partition_cols[k]);
        x.pnull_ok[k] = (ti >= 0 && (table_schema->children[ti]->flags & ARROW_FLAG_NULLABLE)) ||
                        (ro->part_given && ro->part_given[k]);
    }
    for (size_t j = 0; !rc && j < nd; j++) {
        dcol[j] = -1;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(cols[i], ds->children[j]->name)) dcol[j] = (int64_t)i;
    }
    int64_t row_base = 0;
    for (int rg = 0; !rc && rg < dlk_pq_num_row_groups(f); rg++) {
        struct ArrowSchema fs;
        struct ArrowArray fa;
        if ((rc = read_input_row_group(f, rg, fields, cols, n, &fs, &fa))) break;
        int64_t rows = fa.length;
        for (size_t j = 0; j < nd && !rc && rows > 0; j++) {
            if (dcol[j] >= 0) {
                kids[j] = fa.children[dcol[j]];
            } else if (!(ds->children[j]->flags & ARROW_FLAG_NULLABLE)) {
                dlk_buf e = {0};
                dlk_core_type_name(ds->children[j], &e);
                rc = dlk_err_schema_mismatch(dlk_buf_cstr(&e), "missing",
                                             "parquet input: column '%s' (%s not null) is "
                                             "missing from the file",
                                             ds->children[j]->name, dlk_buf_cstr(&e));
                dlk_buf_free(&e);
            } else if (!(rc = null_array(ds->children[j], fa.offset + rows, &nulls[j]))) {
                kids[j] = &nulls[j];
            }
        }
        x.fs = &fs;
        x.fa = &fa;
        x.row_base = row_base;
        if (!rc && rows > 0) rc = split_rows(&x, rows);
        /* the data columns as one "+s" view over the row group's arrays */
        static const void *no_buffers[1] = {NULL};
        struct ArrowArray view = {.length = rows,
                                  .offset = fa.offset,
                                  .n_buffers = 1,
                                  .buffers = no_buffers,
                                  .n_children = (int64_t)nd,
                                  .children = kids,
                                  .release = borrowed_release};
        for (size_t g = 0; !rc && g < x.groups.len; g++) {
            pgroup *pg = &dlk_vec_at(&x.groups, pgroup, g);
            const char *const *vals = (const char *const *)pg->vals;
            if (pp->text) {
                if ((rc = dlk_ops__ppath_scope(pp, ro->partition_cols, vals, pvals))) break;
                vals = pvals;
            }
            if ((int64_t)pg->n == rows) {
                rc = write_batch(c, &view, vals);
            } else {
                struct ArrowArray part = {0};
                rc = dlk_expr_take(ds, &view, pg->rows, (int64_t)pg->n, &part);
                if (!rc) rc = write_batch(c, &part, vals);
                dlk_arrow_array_release(&part);
            }
        }
        groups_clear(&x);
        for (size_t j = 0; j < nd; j++)
            if (nulls[j].release) dlk_arrow_array_release(&nulls[j]);
        row_base += rows;
        dlk_arrow_array_release(&fa);
        dlk_arrow_schema_release(&fs);
    }
    groups_clear(&x);
    dlk_vec_free(&x.groups);
    dlk_buf_free(&x.key);
    for (size_t k = 0; x.vown && k < np; k++)
        dlk_free(x.vown[k]);
    dlk_string_free(x.jb);
    dlk_free(x.pcol);
    dlk_free(x.pnull_ok);
    dlk_free(x.tbuf);
    dlk_free(x.vptr);
    dlk_free(x.vlen);
    dlk_free(x.vown);
    dlk_free(kids);
    dlk_free(nulls);
    dlk_free(dcol);
    dlk_free(fields);
    dlk_free(cols);
    dlk_pq_close(&f);
    return rc;
}

/* ---- write --------------------------------------------------------------- */

static int write_impl(const char *table, FILE *in, const char *text, size_t n,
                      const dlk_write_options *opts, dlk_write_result *res)
{
    int64_t t0 = dlk_monotonic_ns();
    dlk_write_options d = DLK_WRITE_OPTIONS_INIT;
    if (!opts) opts = &d;
    dlk_write_result dummy;
    if (!res) res = &dummy;
    memset(res, 0, sizeof *res);
    res->version = -1;
    res->checkpoint_version = -1;
    if (!table) return dlk_err_set(DLK_INVALID_ARGUMENT, "write: no table");
    if (opts->mode != DLK_WRITE_APPEND && opts->mode != DLK_WRITE_OVERWRITE)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "write: unknown mode %d", opts->mode);
    if (opts->replace_where && opts->mode != DLK_WRITE_OVERWRITE)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "write: replace_where needs mode overwrite");
    bool overwrite = opts->mode == DLK_WRITE_OVERWRITE;

    dlk_txn_state st;
    int rc = dlk_core__state_load(table, overwrite, false, &st);
    if (rc) return rc;
    wctx c;
    memset(&c, 0, sizeof c);
    where w = {0};
    struct ArrowSchema merged = {0};
    dlk_records_reader *r = NULL;
    dlk_records_pipe *pipe = NULL;
    dlk_buf commit = {0}, slurp = {0};
    dlk_arena md_arena = {0};
    dlk_metadata_action new_md_s;
    const dlk_metadata_action *new_md = NULL;
    dlk_map removes = {0};
    dlk_ops__ppath pp = {0};
    const char **pvals = NULL;
    const char **bucket_src = NULL;
    int *bucket_n = NULL;
    c.written.elem = sizeof(char *);
    c.adds.elem = sizeof(dlk_add_action);
    res->version = st.version;
    if ((rc = dlk_core__check_writable(&st))) goto out;
    const char *ao = dlk_core__state_config(&st, "delta.appendOnly");
    if (overwrite && ao && dlk_str_ieq(ao, "true")) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                         "%s: the table is append-only (delta.appendOnly=true)", table);
        goto out;
    }
    if (opts->app_id) {
        const dlk_txn_action *t = dlk_map_get_str(&st.txns, opts->app_id);
        if (t && t->version >= opts->app_version) {
            res->skipped = true;
            DLK_INFO("write", "%s: transaction %s/%" PRId64 " already committed, skipping", table,
                     opts->app_id, opts->app_version);
            goto out;
        }
    }
    if (opts->replace_where && (rc = where_parse(opts->replace_where, &st, &w))) goto out;
    if (opts->version >= 2 && opts->partition_path) {
        if ((rc = dlk_ops__ppath_parse(opts->partition_path, (const char *const *)st.partition_cols,
                                       st.n_part, &pp)))
            goto out;
        if (pp.text && !(pvals = dlk_calloc(st.n_part + 1, sizeof *pvals))) {
            rc = dlk_err_nomem();
            goto out;
        }
    }

    const struct ArrowSchema *schema = &st.schema;
    int fmt = opts->input_format;
    if (opts->merge_schema) {
        if (opts->input_format != DLK_INPUT_NDJSON) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "merge_schema: only for NDJSON input");
            goto out;
        }
        if (in) { /* need the text twice: infer, then convert */
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
                if ((rc = dlk_buf_append(&slurp, chunk, got))) goto out;
            text = slurp.data ? (const char *)slurp.data : "";
            n = slurp.len;
            in = NULL;
        }
        size_t n_new = 0;
        if ((rc = dlk_ops_records_infer(schema, text, n, &merged, &n_new))) goto out;
        if (n_new) {
            char mb[32] = "";
            if (dlk_ops__cm_mode(&st) > 0) { /* new columns get ids and physical names */
                int64_t mx = 0;
                const char *ms = dlk_core__state_config(&st, "delta.columnMapping.maxColumnId");
                if (ms) dlk_parse_i64(ms, &mx);
                if (dlk_ops__cm_max_id(&merged) > mx) mx = dlk_ops__cm_max_id(&merged);
                if ((rc = dlk_ops__cm_assign(&merged, &mx, false))) goto out;
                snprintf(mb, sizeof mb, "%" PRId64, mx);
            }
            dlk_buf ss = {0};
            rc = dlk_core_schema_to_json(&merged, &ss);
            if (!rc)
                rc = dlk_log_metadata_derive(&md_arena, st.metadata, dlk_buf_cstr(&ss), NULL, 0,
                                             &new_md_s);
            dlk_buf_free(&ss);
            if (!rc && *mb)
                rc = dlk_log_kvs_set(&md_arena, &new_md_s.configuration,
                                     "delta.columnMapping.maxColumnId", mb);
            if (rc) goto out;
            new_md = &new_md_s;
            schema = &merged;
            res->schema_changed = true;
        }
    }

    if (opts->input_format == DLK_INPUT_PARQUET) {
        if (opts->merge_schema) {
            rc = dlk_err_set(DLK_UNSUPPORTED, "merge_schema with parquet input");
            goto out;
        }
        if (in) {
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
                if ((rc = dlk_buf_append(&slurp, chunk, got))) goto out;
            text = (const char *)slurp.data;
            n = slurp.len;
            in = NULL;
        }
    }
    dlk_records_options ro = DLK_RECORDS_OPTIONS_INIT;
    ro.format = fmt == DLK_INPUT_CSV ? DLK_RECORDS_CSV : DLK_RECORDS_NDJSON;
    ro.batch_rows = opts->batch_rows;
    ro.strict = opts->strict;
    if (opts->version >= 4) ro.timestamp_unit = opts->timestamp_unit;
    ro.partition_cols = (const char *const *)st.partition_cols;
    ro.n_partition_cols = st.n_part;
    if (pp.text) ro.part_given = pp.set; /* the path fills NOT NULL partition columns */
    /* hash-bucket partition columns (deltalake.hashBucket.<col> = "N,source") */
    bucket_src = dlk_calloc(st.n_part + 1, sizeof(char *));
    bucket_n = dlk_calloc(st.n_part + 1, sizeof(int));
    if (!bucket_src || !bucket_n) {
        rc = dlk_err_nomem();
        goto out;
    }
    for (size_t i = 0; i < st.n_part; i++) {
        char key[320];
        snprintf(key, sizeof key, "deltalake.hashBucket.%s", st.partition_cols[i]);
        const char *bv = dlk_core__state_config(&st, key);
        const char *comma = bv ? strchr(bv, ',') : NULL;
        if (!comma) continue;
        char *e;
        long nb = strtol(bv, &e, 10);
        if (e != comma || nb < 1) continue;
        bucket_n[i] = (int)nb;
        bucket_src[i] = comma + 1;
        ro.bucket_src = bucket_src;
        ro.bucket_n = bucket_n;
    }
    rc = in ? dlk_ops_records_open(schema, &ro, in, &r)
            : dlk_ops_records_open_mem(schema, &ro, text, n, &r);
    if (rc) goto out;

    c.root = table;
    c.data_schema = dlk_ops_records_data_schema(r);
    c.part_cols = (const char *const *)st.partition_cols;
    c.n_part = st.n_part;
    c.target = opts->target_file_size ? opts->target_file_size : ((uint64_t)128 << 20);
    if (opts->version >= 3) {
        c.compression = opts->compression;
        c.level = opts->compression_level;
    }
    c.num_indexed = 32;
    c.mem_budget = WRITE_MEM_BUDGET;
    c.max_open = WRITE_MAX_OPEN;
    c.check = opts->replace_where ? &w : NULL;
    if ((rc = wctx_map(&c, schema, dlk_ops__cm_mode(&st)))) goto out;
    const char *ni = dlk_core__state_config(&st, "delta.dataSkippingNumIndexedCols");
    int64_t niv;
    if (ni && dlk_parse_i64(ni, &niv) == DLK_OK) c.num_indexed = (int)niv;
    if (fmt == DLK_INPUT_PARQUET) {
        rc = st.n_part ? feed_parquet_partitioned(&c, schema, r, &ro, &pp, pvals,
                                                  (const uint8_t *)text, n)
                       : feed_parquet(&c, schema, (const uint8_t *)text, n);
        if (rc) goto out;
    }
    /* threads >= 2: NDJSON chunks are parsed and converted by worker
     * threads while this one encodes and writes the batches */
    if (opts->version >= 2 && opts->threads >= 2 && fmt == DLK_INPUT_NDJSON &&
        (rc = dlk_records_pipe_start(schema, &ro, in, text, n, opts->threads, &pipe)))
        goto out;
    while (fmt != DLK_INPUT_PARQUET) {
        struct ArrowArray batch;
        const char *const *vals = NULL;
        rc = pipe ? dlk_records_pipe_next(pipe, &batch, &vals)
                  : dlk_ops_records_next_part(r, &batch, &vals);
        if (rc) goto out;
        if (!batch.release) break;
        if (pp.text &&
            (rc = dlk_ops__ppath_scope(&pp, (const char *const *)st.partition_cols, vals, pvals))) {
            dlk_arrow_array_release(&batch);
            goto out;
        }
        rc = write_batch(&c, &batch, pp.text ? pvals : vals);
        dlk_arrow_array_release(&batch);
        if (rc) goto out;
    }
    if ((rc = close_all(&c))) goto out;

    /* removes for overwrite */
    int64_t removed_bytes = 0, removed_files = 0;
    dlk_buf rm_lines = {0};
    if (overwrite) {
        size_t pos = 0;
        dlk_map_entry *e;
        int64_t now = dlk_now_micros() / 1000;
        while ((e = dlk_map_next(&st.files, &pos))) {
            const dlk_add_action *add = e->value;
            if (opts->replace_where && !where_match_kvs(&w, &add->partition_values)) continue;
            dlk_action rm;
            dlk_log_remove_of_add(add, now, true, &rm);
            if ((rc = dlk_log_action_to_json(&rm, &rm_lines)) ||
                (rc = dlk_map_put(&removes, e->key, e->klen, (void *)1, NULL) ? dlk_err_nomem()
                                                                              : DLK_OK)) {
                dlk_buf_free(&rm_lines);
                goto out;
            }
            removed_files++;
            removed_bytes += add->size;
        }
    }

    /* no records: no commit (an empty overwrite would silently empty the
     * table; `delete --where true` does that on purpose) */
    if (c.adds.len == 0 && c.rows == 0 && !new_md && !opts->app_id) {
        dlk_buf_free(&rm_lines);
        res->skipped = true;
        DLK_INFO("write", "%s: the input holds no records; nothing committed", table);
        goto out;
    }

    /* the commit */
    json_t *params = json_object();
    json_object_set_new(params, "mode", json_string(overwrite ? "Overwrite" : "Append"));
    dlk_buf pcs = {0};
    dlk_buf_putc(&pcs, '[');
    for (size_t k = 0; k < st.n_part; k++) {
        if (k) dlk_buf_putc(&pcs, ',');
        dlk_buf_json_str(&pcs, st.partition_cols[k], strlen(st.partition_cols[k]));
    }
    dlk_buf_putc(&pcs, ']');
    json_object_set_new(params, "partitionBy", json_string(dlk_buf_cstr(&pcs)));
    dlk_buf_free(&pcs);
    if (opts->replace_where)
        json_object_set_new(params, "predicate", json_string(opts->replace_where));
    if (opts->app_id) {
        json_object_set_new(params, "txnAppId", json_string(opts->app_id));
        json_object_set_new(params, "txnVersion", json_integer(opts->app_version));
    }
    int64_t nfiles = (int64_t)c.adds.len;
    json_t *metrics = json_object();
#define METRIC(k, v) dlk_core__metric(metrics, k, (int64_t)(v))
    METRIC("numFiles", nfiles);
    METRIC("numOutputRows", c.rows);
    METRIC("numOutputBytes", c.bytes);
    if (overwrite) {
        METRIC("numRemovedFiles", removed_files);
        METRIC("numRemovedBytes", removed_bytes);
    }
    METRIC("executionTimeMs", (dlk_monotonic_ns() - t0) / 1000000);
#undef METRIC
    bool blind = !overwrite && !new_md;
    if (opts->app_id) {
        dlk_action t = {.kind = DLK_ACTION_TXN};
        t.u.txn.app_id = opts->app_id;
        t.u.txn.version = opts->app_version;
        t.u.txn.last_updated = dlk_now_micros() / 1000;
        t.u.txn.has_last_updated = true;
        rc = dlk_log_action_to_json(&t, &commit);
    }
    if (!rc) rc = dlk_buf_append(&commit, rm_lines.data, rm_lines.len);
    dlk_buf_free(&rm_lines);
    if (!rc) rc = adds_to_lines(&c, true, &commit);
    if (rc) {
        json_decref(params);
        json_decref(metrics);
        goto out;
    }

    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = st.version;
    req.state = &st;
    req.operation = opts->operation ? opts->operation : "WRITE";
    req.params = params;
    req.metrics = metrics;
    req.metadata = new_md;
    req.body = (const char *)commit.data;
    req.body_len = commit.len;
    req.intent.blind_append = blind;
    req.intent.read_all = overwrite && !opts->replace_where;
    if (overwrite && opts->replace_where) {
        req.intent.read_match = where_match_kvs;
        req.intent.read_ctx = &w;
    }
    req.intent.app_id = opts->app_id;
    req.intent.removes = overwrite ? &removes : NULL;
    req.max_attempts = opts->max_attempts;
    dlk_commit_res cres;
    rc = dlk_core__commit(&req, &cres);
    json_decref(params);
    json_decref(metrics);
    if (rc) goto out;
    res->attempts = cres.attempts;
    res->version = cres.version;
    res->files_added = nfiles;
    res->files_removed = removed_files;
    res->rows_written = c.rows;
    res->bytes_written = c.bytes;
    res->checkpoint_version = cres.checkpoint_version;
    wctx_cleanup(&c, false);
    goto done;
out:
    wctx_cleanup(&c, rc != DLK_OK);
done:
    dlk_records_pipe_free(pipe); /* its threads read the input */
    dlk_ops_records_free(r);
    dlk_core__state_free(&st);
    where_free(&w);
    dlk_arrow_schema_release(&merged);
    dlk_buf_free(&commit);
    dlk_buf_free(&slurp);
    dlk_arena_free(&md_arena);
    dlk_map_free(&removes);
    dlk_ops__ppath_free(&pp);
    dlk_free(pvals);
    dlk_free(bucket_src);
    dlk_free(bucket_n);
    if (rc) rc = dlk_err_context(rc, "%s", table);
    return rc;
}

int dlk_table_write_file(const char *table, FILE *in, const dlk_write_options *opts,
                         dlk_write_result *result)
{
    if (!in) return dlk_err_set(DLK_INVALID_ARGUMENT, "write: no input");
    int64_t t0 = dlk_monotonic_ns();
    int rc = write_impl(table, in, NULL, 0, opts, result);
    dlk_ops__metrics_record(table, DLK_OP_WRITE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}

int dlk_table_write_text(const char *table, const char *text, size_t n,
                         const dlk_write_options *opts, dlk_write_result *result)
{
    int64_t t0 = dlk_monotonic_ns();
    int rc = write_impl(table, NULL, text ? text : "", text ? n : 0, opts, result);
    dlk_ops__metrics_record(table, DLK_OP_WRITE, dlk_ops__ms_since(t0), rc == DLK_OK);
    return rc;
}
