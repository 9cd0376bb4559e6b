/*
 * parquet/reader_assemble.c - turn decoded levels + values of the leaf
 * columns into Arrow arrays (record shredding in reverse).
 *
 * A node's slots are the level entries i of its first leaf with
 * rep[i] <= rs and def[i] >= ds, where (rs, ds) are the levels of the
 * nearest enclosing repeated node (0, 0 at the top). The slot is valid when
 * def[i] >= dv. A LIST/MAP node with repeated-node levels (rr, dr) has one
 * element per entry with def >= dr that either starts its slot or has
 * rep == rr; the element child is assembled with (rr, dr).
 */
#include "arrow/arrow.h"
#include "parquet/reader_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

static inline int lv(const int16_t *a, int64_t i) { return a ? a[i] : 0; }

static int64_t count_slots(const pq_chunk *c, int maxdef, int rs, int ds)
{
    int64_t n = 0;
    for (int64_t i = 0; i < c->n_levels; i++) {
        int d = c->def ? c->def[i] : maxdef;
        if (lv(c->rep, i) <= rs && d >= ds) n++;
    }
    return n;
}

static uint8_t *alloc_validity(struct ArrowArray *a, int64_t n)
{
    uint8_t *v = dlk_arrow_array_alloc_buffer(a, 0, (size_t)(n + 7) / 8 + 1);
    return v;
}

static int assemble_leaf(dlk_pq_file *f, const pq_node *node, pq_chunk *c, int rs, int ds,
                         struct ArrowArray *out)
{
    const pq_leaf *l = &f->leaves[node->leaf];
    int maxdef = l->max_def;
    int64_t n = count_slots(c, maxdef, rs, ds);
    int nbuf = l->arrow_width == 0 ? 3 : 2;
    int rc = dlk_arrow_array_new(out, n, nbuf, 0);
    if (rc) return rc;
    uint8_t *valid = NULL;
    if (node->nullable && (valid = alloc_validity(out, n)) == NULL) return dlk_err_nomem();
    int64_t nulls = 0, vi = 0, k = 0;
    const dlk_pq_values *v = &c->vals;
    const uint32_t *po = dlk_pq__values_offs(v);
    if (l->arrow_width == 0) {
        int32_t *offs = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(n + 1) * 4);
        if (!offs) return dlk_err_nomem();
        for (int64_t i = 0; i < c->n_levels; i++) {
            int d = c->def ? c->def[i] : maxdef;
            bool slot = lv(c->rep, i) <= rs && d >= ds;
            if (d == maxdef) {
                if (!slot || vi >= v->n) return dlk_err_set(DLK_CORRUPT, "%s: column %s: levels inconsistent", f->name, l->path);
                vi++;
            }
            if (!slot) continue;
            if (d == maxdef) {
                if (valid) dlk_bit_set(valid, k);
            } else
                nulls++;
            offs[k + 1] = vi ? (int32_t)po[vi] : 0;
            k++;
        }
        /* the value bytes are already contiguous in order */
        void *data = v->data.len ? dlk_buf_detach(&c->vals.data) : dlk_malloc(1);
        if (!data) return dlk_err_nomem();
        dlk_arrow_array_set_buffer(out, 2, data);
    } else if (l->arrow_width < 0) {
        uint8_t *bits = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(n + 7) / 8 + 1);
        if (!bits) return dlk_err_nomem();
        for (int64_t i = 0; i < c->n_levels; i++) {
            int d = c->def ? c->def[i] : maxdef;
            bool slot = lv(c->rep, i) <= rs && d >= ds;
            if (d == maxdef && (!slot || vi >= v->n)) return dlk_err_set(DLK_CORRUPT, "%s: column %s: levels inconsistent", f->name, l->path);
            if (!slot) continue;
            if (d == maxdef) {
                if (valid) dlk_bit_set(valid, k);
                if (v->data.data[vi]) dlk_bit_set(bits, k);
                vi++;
            } else
                nulls++;
            k++;
        }
    } else {
        size_t aw = (size_t)l->arrow_width;
        uint8_t *dst = dlk_arrow_array_alloc_buffer(out, 1, (size_t)n * aw);
        if (!dst) return dlk_err_nomem();
        bool var_dec = l->ptype == DLK_PQ_BYTE_ARRAY;
        for (int64_t i = 0; i < c->n_levels; i++) {
            int d = c->def ? c->def[i] : maxdef;
            bool slot = lv(c->rep, i) <= rs && d >= ds;
            if (d == maxdef && (!slot || vi >= v->n)) return dlk_err_set(DLK_CORRUPT, "%s: column %s: levels inconsistent", f->name, l->path);
            if (!slot) continue;
            if (d == maxdef) {
                if (valid) dlk_bit_set(valid, k);
                if (var_dec) {
                    pq_leaf tmp = *l;
                    tmp.width = (int)(po[vi + 1] - po[vi]);
                    if (tmp.width == 0) memset(dst + (size_t)k * aw, 0, aw);
                    else if ((rc = dlk_pq__convert_fixed(&tmp, v->data.data + po[vi], dst + (size_t)k * aw)))
                        return dlk_err_context(rc, "%s: column %s", f->name, l->path);
                } else if ((rc = dlk_pq__convert_fixed(l, v->data.data + (size_t)vi * (size_t)l->width, dst + (size_t)k * aw)))
                    return dlk_err_context(rc, "%s: column %s", f->name, l->path);
                vi++;
            } else
                nulls++;
            k++;
        }
    }
    out->null_count = nulls;
    return DLK_OK;
}

int dlk_pq__assemble(dlk_pq_file *f, const pq_node *node, pq_chunk *chunks, int rs, int ds,
                     struct ArrowArray *out)
{
    if (node->kind == PQ_LEAF) return assemble_leaf(f, node, &chunks[node->leaf], rs, ds, out);
    const pq_chunk *c = &chunks[node->leaf0];
    int maxdef = f->leaves[node->leaf0].max_def;
    int64_t n = count_slots(c, maxdef, rs, ds);
    int rc;
    if (node->kind == PQ_STRUCT) {
        if ((rc = dlk_arrow_array_new(out, n, 1, node->n_kids))) return rc;
    } else {
        if ((rc = dlk_arrow_array_new(out, n, 2, 1))) return rc;
    }
    uint8_t *valid = NULL;
    if (node->nullable && (valid = alloc_validity(out, n)) == NULL) return dlk_err_nomem();
    int64_t nulls = 0, k = 0;
    if (node->kind == PQ_STRUCT) {
        for (int64_t i = 0; i < c->n_levels; i++) {
            int d = c->def ? c->def[i] : maxdef;
            if (!(lv(c->rep, i) <= rs && d >= ds)) continue;
            if (d >= node->dv) {
                if (valid) dlk_bit_set(valid, k);
            } else
                nulls++;
            k++;
        }
        out->null_count = valid ? nulls : 0;
        for (int j = 0; j < node->n_kids; j++) {
            if ((rc = dlk_pq__assemble(f, &node->kids[j], chunks, rs, ds, out->children[j]))) return rc;
            if (out->children[j]->length != n)
                return dlk_err_set(DLK_CORRUPT, "%s: struct %s: child %s has %lld values, expected %lld", f->name, node->name,
                                   node->kids[j].name, (long long)out->children[j]->length, (long long)n);
        }
        return DLK_OK;
    }
    /* LIST / MAP */
    int32_t *offs = dlk_arrow_array_alloc_buffer(out, 1, (size_t)(n + 1) * 4);
    if (!offs) return dlk_err_nomem();
    int64_t cnt = 0;
    for (int64_t i = 0; i < c->n_levels; i++) {
        int d = c->def ? c->def[i] : maxdef;
        int r = lv(c->rep, i);
        if (r <= rs && d >= ds) {
            if (k > 0) offs[k] = (int32_t)cnt;
            if (d >= node->dv) {
                if (valid) dlk_bit_set(valid, k);
            } else
                nulls++;
            k++;
            if (d >= node->dr) cnt++;
        } else if (r == node->rr && d >= node->dr && k > 0)
            cnt++;
        if (cnt > INT32_MAX) return dlk_err_set(DLK_UNSUPPORTED, "%s: list %s: more than 2^31 elements", f->name, node->name);
    }
    offs[k] = (int32_t)cnt;
    out->null_count = valid ? nulls : 0;
    if ((rc = dlk_pq__assemble(f, &node->kids[0], chunks, node->rr, node->dr, out->children[0]))) return rc;
    if (out->children[0]->length != cnt)
        return dlk_err_set(DLK_CORRUPT, "%s: list %s: %lld elements, offsets need %lld", f->name, node->name,
                           (long long)out->children[0]->length, (long long)cnt);
    return DLK_OK;
}
