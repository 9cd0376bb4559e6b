/*
 * log/checkpoint_pq.c - Parquet checkpoint and sidecar files -> actions,
 * through the Parquet reader. A checkpoint row holds one action: one
 * top-level struct column per action kind (add, remove, metaData, protocol,
 * txn, domainMetadata, sidecar, checkpointMetadata), the others null.
 * Removes in checkpoints are vacuum tombstones: read only when asked
 * (with_removes; writers carry them into the next checkpoint).
 */
#include "log/replay.h"
#include "arrow/arrow.h"
#include "parquet/reader.h"
#include "util/alloc.h"
#include "util/error.h"
#include <string.h>

typedef struct {
    const struct ArrowSchema *s;
    const struct ArrowArray *a;
    int64_t i; /* logical row within a (a->offset not applied) */
} cell;

static bool fmt_is(const struct ArrowSchema *s, char a, char b)
{
    return s->format[0] == a && s->format[1] == b && (b == 0 || s->format[2] == 0);
}

static bool cell_valid(const cell *c)
{
    if (!c->a || !c->s) return false;
    if (fmt_is(c->s, 'n', 0)) return false;
    const uint8_t *v = c->a->buffers ? (const uint8_t *)c->a->buffers[0] : NULL;
    if (c->a->null_count == 0 || !v) return true;
    int64_t k = c->a->offset + c->i;
    return (v[k >> 3] >> (k & 7)) & 1;
}

static cell child_at(const cell *c, int64_t k)
{
    cell r = {c->s->children[k], c->a->children[k], c->a->offset + c->i};
    return r;
}

static cell child(const cell *c, const char *name)
{
    cell r = {NULL, NULL, 0};
    if (!c->s || !fmt_is(c->s, '+', 's')) return r;
    for (int64_t k = 0; k < c->s->n_children; k++) {
        if (strcmp(c->s->children[k]->name, name) == 0) {
            r.s = c->s->children[k];
            r.a = c->a->children[k];
            r.i = c->a->offset + c->i;
            return r;
        }
    }
    return r;
}

static const char *get_str(const cell *c, dlk_arena *ar, int *rc)
{
    if (!cell_valid(c)) return NULL;
    if (!fmt_is(c->s, 'u', 0) && !fmt_is(c->s, 'z', 0)) return NULL;
    const int32_t *off = c->a->buffers[1];
    const char *data = c->a->buffers[2];
    int64_t k = c->a->offset + c->i;
    const char *s = dlk_arena_strndup(ar, data ? data + off[k] : "", (size_t)(off[k + 1] - off[k]));
    if (!s) *rc = dlk_err_nomem();
    return s;
}

static bool get_int(const cell *c, int64_t *out)
{
    if (!cell_valid(c)) return false;
    int64_t k = c->a->offset + c->i;
    const char *f = c->s->format;
    if (f[0] == 0 || f[1] != 0) return false;
    switch (f[0]) {
    case 'l':
        *out = ((const int64_t *)c->a->buffers[1])[k];
        break;
    case 'i':
        *out = ((const int32_t *)c->a->buffers[1])[k];
        break;
    case 's':
        *out = ((const int16_t *)c->a->buffers[1])[k];
        break;
    case 'c':
        *out = ((const int8_t *)c->a->buffers[1])[k];
        break;
    default:
        return false;
    }
    return true;
}

static bool get_bool(const cell *c, bool *out)
{
    if (!cell_valid(c) || !fmt_is(c->s, 'b', 0)) return false;
    int64_t k = c->a->offset + c->i;
    *out = (((const uint8_t *)c->a->buffers[1])[k >> 3] >> (k & 7)) & 1;
    return true;
}

/* list<string> -> array of strings */
static int get_str_list(const cell *c, dlk_arena *ar, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!cell_valid(c) || strcmp(c->s->format, "+l") != 0) return DLK_OK;
    const int32_t *off = c->a->buffers[1];
    int64_t k = c->a->offset + c->i;
    int64_t b = off[k], e = off[k + 1];
    const char **arr = dlk_arena_alloc(ar, (size_t)(e - b + 1) * sizeof *arr);
    if (!arr) return dlk_err_nomem();
    int rc = DLK_OK;
    for (int64_t j = b; j < e && !rc; j++) {
        cell el = {c->s->children[0], c->a->children[0], j};
        arr[j - b] = get_str(&el, ar, &rc);
        if (!arr[j - b]) arr[j - b] = "";
    }
    *out = arr;
    *n = (size_t)(e - b);
    return rc;
}

static int get_map(const cell *c, dlk_arena *ar, dlk_kvs *out)
{
    out->items = NULL;
    out->n = 0;
    if (!cell_valid(c) || strcmp(c->s->format, "+m") != 0) return DLK_OK;
    const int32_t *off = c->a->buffers[1];
    int64_t k = c->a->offset + c->i;
    int64_t b = off[k], e = off[k + 1];
    if (e <= b) return DLK_OK;
    const struct ArrowSchema *es = c->s->children[0];
    const struct ArrowArray *ea = c->a->children[0];
    out->items = dlk_arena_alloc(ar, (size_t)(e - b) * sizeof *out->items);
    if (!out->items) return dlk_err_nomem();
    int rc = DLK_OK;
    for (int64_t j = b; j < e && !rc; j++) {
        cell entry = {es, ea, j};
        cell kc = child(&entry, "key"), vc = child(&entry, "value");
        const char *key = get_str(&kc, ar, &rc);
        if (!key) continue;
        out->items[out->n].key = key;
        out->items[out->n].value = get_str(&vc, ar, &rc);
        out->n++;
    }
    return rc;
}

static int get_dv(const cell *c, dlk_arena *ar, dlk_dv **out)
{
    *out = NULL;
    cell d = child(c, "deletionVector");
    if (!cell_valid(&d)) return DLK_OK;
    dlk_dv *dv = dlk_arena_calloc(ar, sizeof *dv);
    if (!dv) return dlk_err_nomem();
    int rc = DLK_OK;
    cell f = child(&d, "storageType");
    const char *st = get_str(&f, ar, &rc);
    f = child(&d, "pathOrInlineDv");
    dv->path_or_inline = get_str(&f, ar, &rc);
    if (rc) return rc;
    if (!st || strlen(st) != 1 || !strchr("uip", st[0]) || !dv->path_or_inline)
        return dlk_err_set(DLK_CORRUPT, "add.deletionVector: bad storageType or path");
    dv->storage_type = st[0];
    f = child(&d, "offset");
    dv->has_offset = get_int(&f, &dv->offset);
    int64_t v = 0;
    f = child(&d, "sizeInBytes");
    if (get_int(&f, &v)) dv->size_in_bytes = (int32_t)v;
    f = child(&d, "cardinality");
    get_int(&f, &dv->cardinality);
    f = child(&d, "maxRowIndex");
    dv->has_max_row_index = get_int(&f, &dv->max_row_index);
    *out = dv;
    return DLK_OK;
}

/* Positions of the add struct's fields in a row group's schema, looked up
 * once per row group instead of by name on every row (-1: absent). */
enum { A_PATH, A_PV, A_SIZE, A_MTIME, A_DC, A_STATS, A_TAGS, A_BRI, A_DRCV, A_N };
static const char *const ADD_FIELDS[A_N] = {"path",
                                            "partitionValues",
                                            "size",
                                            "modificationTime",
                                            "dataChange",
                                            "stats",
                                            "tags",
                                            "baseRowId",
                                            "defaultRowCommitVersion"};
typedef struct {
    const struct ArrowSchema *s; /* the add struct's schema the positions are for */
    int64_t idx[A_N];
} add_binding;

static void bind_add(const struct ArrowSchema *s, add_binding *b)
{
    b->s = s;
    for (int f = 0; f < A_N; f++) {
        b->idx[f] = -1;
        for (int64_t k = 0; s && fmt_is(s, '+', 's') && k < s->n_children; k++)
            if (!strcmp(s->children[k]->name, ADD_FIELDS[f])) b->idx[f] = k;
    }
}

static cell add_field(const cell *c, const add_binding *b, int f)
{
    cell r = {NULL, NULL, 0};
    if (b->s != c->s || b->idx[f] < 0) return b->s == c->s ? r : child(c, ADD_FIELDS[f]);
    return child_at(c, b->idx[f]);
}

static int row_action(const char *kind, const cell *c, dlk_arena *ar, const add_binding *ab,
                      dlk_action *act)
{
    int rc = DLK_OK;
    cell f;
    memset(act, 0, sizeof *act);
    if (!strcmp(kind, "add")) {
        dlk_add_action *a = &act->u.add;
        act->kind = DLK_ACTION_ADD;
        f = add_field(c, ab, A_PATH);
        a->path = get_str(&f, ar, &rc);
        if (!rc && !a->path) {
            act->kind = DLK_ACTION_UNKNOWN; /* an all-null struct: no action in this row */
            return DLK_OK;
        }
        f = add_field(c, ab, A_PV);
        if (!rc) rc = get_map(&f, ar, &a->partition_values);
        f = add_field(c, ab, A_SIZE);
        get_int(&f, &a->size);
        f = add_field(c, ab, A_MTIME);
        get_int(&f, &a->modification_time);
        a->data_change = false;
        f = add_field(c, ab, A_DC);
        get_bool(&f, &a->data_change);
        f = add_field(c, ab, A_STATS);
        a->stats = get_str(&f, ar, &rc);
        f = add_field(c, ab, A_TAGS);
        if (!rc) rc = get_map(&f, ar, &a->tags);
        if (!rc) rc = get_dv(c, ar, &a->dv);
        f = add_field(c, ab, A_BRI);
        a->has_base_row_id = get_int(&f, &a->base_row_id);
        f = add_field(c, ab, A_DRCV);
        a->has_default_row_commit_version = get_int(&f, &a->default_row_commit_version);
        return rc;
    }
    if (!strcmp(kind, "remove")) {
        dlk_remove_action *r = &act->u.remove;
        act->kind = DLK_ACTION_REMOVE;
        f = child(c, "path");
        r->path = get_str(&f, ar, &rc);
        if (!rc && !r->path) {
            act->kind = DLK_ACTION_UNKNOWN;
            return DLK_OK;
        }
        f = child(c, "deletionTimestamp");
        r->has_deletion_timestamp = get_int(&f, &r->deletion_timestamp);
        f = child(c, "dataChange");
        get_bool(&f, &r->data_change);
        f = child(c, "extendedFileMetadata");
        r->has_extended_file_metadata = get_bool(&f, &r->extended_file_metadata);
        f = child(c, "partitionValues");
        r->has_partition_values = cell_valid(&f);
        if (!rc) rc = get_map(&f, ar, &r->partition_values);
        f = child(c, "size");
        r->has_size = get_int(&f, &r->size);
        f = child(c, "tags");
        if (!rc) rc = get_map(&f, ar, &r->tags);
        if (!rc) rc = get_dv(c, ar, &r->dv);
        f = child(c, "baseRowId");
        r->has_base_row_id = get_int(&f, &r->base_row_id);
        f = child(c, "defaultRowCommitVersion");
        r->has_default_row_commit_version = get_int(&f, &r->default_row_commit_version);
        return rc;
    }
    if (!strcmp(kind, "metaData")) {
        dlk_metadata_action *m = &act->u.metadata;
        act->kind = DLK_ACTION_METADATA;
        f = child(c, "id");
        m->id = get_str(&f, ar, &rc);
        f = child(c, "name");
        m->name = get_str(&f, ar, &rc);
        f = child(c, "description");
        m->description = get_str(&f, ar, &rc);
        f = child(c, "schemaString");
        m->schema_string = get_str(&f, ar, &rc);
        f = child(c, "partitionColumns");
        if (!rc) rc = get_str_list(&f, ar, &m->partition_columns, &m->n_partition_columns);
        f = child(c, "configuration");
        if (!rc) rc = get_map(&f, ar, &m->configuration);
        f = child(c, "createdTime");
        m->has_created_time = get_int(&f, &m->created_time);
        cell fmt = child(c, "format");
        f = child(&fmt, "provider");
        m->format_provider = get_str(&f, ar, &rc);
        f = child(&fmt, "options");
        if (!rc) rc = get_map(&f, ar, &m->format_options);
        if (!rc && !m->schema_string && !m->id)
            act->kind = DLK_ACTION_UNKNOWN; /* all-null struct */
        else if (!rc && !m->schema_string)
            return dlk_err_set(DLK_CORRUPT, "checkpoint metaData.schemaString is null");
        return rc;
    }
    if (!strcmp(kind, "protocol")) {
        dlk_protocol_action *p = &act->u.protocol;
        act->kind = DLK_ACTION_PROTOCOL;
        int64_t v = 0;
        f = child(c, "minReaderVersion");
        if (get_int(&f, &v))
            p->min_reader_version = (int32_t)v;
        else {
            act->kind = DLK_ACTION_UNKNOWN; /* all-null struct */
            return DLK_OK;
        }
        f = child(c, "minWriterVersion");
        if (get_int(&f, &v)) p->min_writer_version = (int32_t)v;
        f = child(c, "readerFeatures");
        if (!rc) rc = get_str_list(&f, ar, &p->reader_features, &p->n_reader_features);
        f = child(c, "writerFeatures");
        if (!rc) rc = get_str_list(&f, ar, &p->writer_features, &p->n_writer_features);
        return rc;
    }
    if (!strcmp(kind, "txn")) {
        act->kind = DLK_ACTION_TXN;
        f = child(c, "appId");
        act->u.txn.app_id = get_str(&f, ar, &rc);
        f = child(c, "version");
        get_int(&f, &act->u.txn.version);
        f = child(c, "lastUpdated");
        act->u.txn.has_last_updated = get_int(&f, &act->u.txn.last_updated);
        if (!rc && !act->u.txn.app_id) act->kind = DLK_ACTION_UNKNOWN;
        return rc;
    }
    if (!strcmp(kind, "domainMetadata")) {
        act->kind = DLK_ACTION_DOMAIN_METADATA;
        f = child(c, "domain");
        act->u.domain_metadata.domain = get_str(&f, ar, &rc);
        f = child(c, "configuration");
        act->u.domain_metadata.configuration = get_str(&f, ar, &rc);
        f = child(c, "removed");
        get_bool(&f, &act->u.domain_metadata.removed);
        if (!rc && !act->u.domain_metadata.domain) act->kind = DLK_ACTION_UNKNOWN;
        return rc;
    }
    if (!strcmp(kind, "sidecar")) {
        act->kind = DLK_ACTION_SIDECAR;
        f = child(c, "path");
        act->u.sidecar.path = get_str(&f, ar, &rc);
        f = child(c, "sizeInBytes");
        get_int(&f, &act->u.sidecar.size_in_bytes);
        f = child(c, "modificationTime");
        get_int(&f, &act->u.sidecar.modification_time);
        if (!rc && !act->u.sidecar.path) act->kind = DLK_ACTION_UNKNOWN;
        return rc;
    }
    if (!strcmp(kind, "checkpointMetadata")) {
        act->kind = DLK_ACTION_CHECKPOINT_METADATA;
        f = child(c, "version");
        get_int(&f, &act->u.checkpoint_metadata.version);
        return rc;
    }
    return DLK_OK;
}

static const char *const wanted[] = {
    "add",     "metaData",           "protocol", "txn", "domainMetadata",
    "sidecar", "checkpointMetadata", "remove"};

int dlk_log__read_parquet_actions(dlk_storage *s, const char *key, dlk_arena *ar, bool with_removes,
                                  dlk_log_action_cb cb, void *ctx)
{
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = dlk_storage_get(s, key, &data, &len);
    if (rc) return rc;
    dlk_pq_file *f = NULL;
    if ((rc = dlk_pq_open_memory(data, len, key, &f))) {
        dlk_storage_bytes_free(data);
        return rc;
    }
    struct ArrowSchema fs;
    const char *cols[8];
    size_t ncols = 0;
    if ((rc = dlk_pq_get_schema(f, &fs))) goto done;
    for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++)
        if ((with_removes || strcmp(wanted[w], "remove") != 0) &&
            dlk_arrow_schema_find(&fs, wanted[w]) >= 0)
            cols[ncols++] = wanted[w];
    fs.release(&fs);
    if (ncols == 0) goto done;
    int nrg = dlk_pq_num_row_groups(f);
    for (int rg = 0; rg < nrg && !rc; rg++) {
        struct ArrowSchema sch;
        struct ArrowArray arr;
        if ((rc = dlk_pq_read_row_group(f, rg, cols, ncols, &sch, &arr))) break;
        cell root = {&sch, &arr, 0};
        int64_t pos[8];
        for (size_t k = 0; k < ncols; k++) {
            pos[k] = -1;
            for (int64_t j = 0; j < sch.n_children; j++)
                if (!strcmp(sch.children[j]->name, cols[k])) pos[k] = j;
        }
        add_binding ab;
        cell add0 = child(&root, "add");
        bind_add(add0.s, &ab);
        for (int64_t row = 0; row < arr.length && !rc; row++) {
            root.i = row;
            for (size_t k = 0; k < ncols && !rc; k++) {
                if (pos[k] < 0) continue;
                cell c = child_at(&root, pos[k]);
                if (!cell_valid(&c)) continue;
                dlk_action act;
                rc = row_action(cols[k], &c, ar, &ab, &act);
                if (!rc && act.kind != DLK_ACTION_UNKNOWN) rc = cb(ctx, &act);
                if (rc) rc = dlk_err_context(rc, "row %lld", (long long)row);
            }
        }
        arr.release(&arr);
        sch.release(&sch);
    }
done:
    dlk_pq_close(&f);
    dlk_storage_bytes_free(data);
    return rc;
}
