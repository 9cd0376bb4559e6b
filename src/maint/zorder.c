/*
 * maint/zorder.c - Z-order for optimize: the rows of a partition are read
 * into one batch, each Z-order column is mapped to an order-preserving
 * unsigned 64-bit encoding (integers, dates, timestamps: sign bit flipped;
 * floats: the IEEE-754 order trick; strings/binary: first 8 bytes
 * big-endian; booleans 0/1; decimals up to 18 digits as integers; nulls
 * first), then to its dense rank scaled to a fixed number of bits (so
 * columns of very different ranges weigh the same), and the bits of all
 * columns are interleaved (most significant first) into a 128-bit key.
 * Rows sorted by that key are cut into files of about the target size.
 * The partition's batches are joined with the scan's concatenation
 * (read/sort.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "arrow/arrow.h"
#include "deltalake/expr.h"
#include "deltalake/scan.h"
#include "read/scan_iter.h"
#include "maint/maint_int.h"
#include "write/write.h"
#include "read/sort.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SIGN64 ((uint64_t)1 << 63)

/* Order-preserving encoding of row j (already offset into the child). */
static int encode(const struct ArrowSchema *s, const struct ArrowArray *a, int64_t j, uint64_t *out)
{
    const char *f = s->format;
    const void *b1 = a->n_buffers > 1 ? a->buffers[1] : NULL;
    int64_t k = a->offset + j;
    switch (f[0]) {
    case 'b':
        *out = dlk_bit_get((const uint8_t *)b1, k);
        return DLK_OK;
    case 'c':
        *out = (uint64_t)(int64_t)((const int8_t *)b1)[k] ^ SIGN64;
        return DLK_OK;
    case 's':
        *out = (uint64_t)(int64_t)((const int16_t *)b1)[k] ^ SIGN64;
        return DLK_OK;
    case 'i':
        *out = (uint64_t)(int64_t)((const int32_t *)b1)[k] ^ SIGN64;
        return DLK_OK;
    case 'l':
        *out = (uint64_t)((const int64_t *)b1)[k] ^ SIGN64;
        return DLK_OK;
    case 'C':
        *out = ((const uint8_t *)b1)[k];
        return DLK_OK;
    case 'S':
        *out = ((const uint16_t *)b1)[k];
        return DLK_OK;
    case 'I':
        *out = ((const uint32_t *)b1)[k];
        return DLK_OK;
    case 'L':
        *out = ((const uint64_t *)b1)[k];
        return DLK_OK;
    case 'f':
    case 'g': {
        double d = f[0] == 'f' ? (double)((const float *)b1)[k] : ((const double *)b1)[k];
        if (d == 0) d = 0; /* -0.0 sorts with +0.0 */
        uint64_t u;
        memcpy(&u, &d, 8);
        *out = (u & SIGN64) ? ~u : (u | SIGN64);
        return DLK_OK;
    }
    case 't':
        if (!strcmp(f, "tdD")) {
            *out = (uint64_t)(int64_t)((const int32_t *)b1)[k] ^ SIGN64;
            return DLK_OK;
        }
        if (f[1] == 's' || !strcmp(f, "tdm")) {
            *out = (uint64_t)((const int64_t *)b1)[k] ^ SIGN64;
            return DLK_OK;
        }
        break;
    case 'u':
    case 'z':
    case 'U':
    case 'Z': {
        int64_t st, en;
        if (f[0] == 'u' || f[0] == 'z') {
            st = ((const int32_t *)b1)[k];
            en = ((const int32_t *)b1)[k + 1];
        } else {
            st = ((const int64_t *)b1)[k];
            en = ((const int64_t *)b1)[k + 1];
        }
        const uint8_t *d = (const uint8_t *)a->buffers[2] + st;
        uint64_t v = 0;
        for (int64_t i = 0; i < 8; i++)
            v = (v << 8) | (i < en - st ? d[i] : 0);
        *out = v;
        return DLK_OK;
    }
    case 'd': {
        if (strchr(f, ',') && strstr(f, ",256")) break;
        const uint64_t *w = (const uint64_t *)b1 + 2 * k;
        uint64_t lo = w[0], hi = w[1];
        int64_t slo = (int64_t)lo;
        if ((slo < 0 && hi == UINT64_MAX) || (slo >= 0 && hi == 0))
            *out = lo ^ SIGN64;
        else
            *out = (hi & SIGN64) ? 0 : UINT64_MAX;
        return DLK_OK;
    }
    default:
        break;
    }
    return dlk_err_set(DLK_UNSUPPORTED, "Z-order on column '%s' of type %s", s->name ? s->name : "",
                       f);
}

typedef struct enc_row {
    uint64_t v;
    int64_t row;
} enc_row;

static int cmp_enc(const void *a, const void *b)
{
    uint64_t x = ((const enc_row *)a)->v, y = ((const enc_row *)b)->v;
    return (x > y) - (x < y);
}

int dlk_ops__zorder_keys(const struct ArrowSchema *schema, const struct ArrowArray *batch,
                         const int64_t *cols, size_t n_cols, uint64_t *hi, uint64_t *lo)
{
    int64_t n = batch->length;
    memset(hi, 0, sizeof(uint64_t) * (size_t)n);
    memset(lo, 0, sizeof(uint64_t) * (size_t)n);
    if (!n_cols || !n) return DLK_OK;
    unsigned bits = (unsigned)(128 / n_cols);
    if (bits > 32) bits = 32;
    enc_row *er = dlk_malloc(sizeof(enc_row) * (size_t)n);
    uint32_t *rank = dlk_malloc(sizeof(uint32_t) * (size_t)n * n_cols);
    int rc = (er && rank) ? DLK_OK : dlk_err_nomem();
    for (size_t c = 0; c < n_cols && !rc; c++) {
        const struct ArrowSchema *cs = schema->children[cols[c]];
        const struct ArrowArray *ca = batch->children[cols[c]];
        if (cs->dictionary) {
            rc =
                dlk_err_set(DLK_UNSUPPORTED, "Z-order on dictionary-encoded column '%s'", cs->name);
            break;
        }
        int64_t m = 0;
        uint32_t *rk = rank + (size_t)c * (size_t)n;
        for (int64_t i = 0; i < n && !rc; i++) {
            int64_t j = batch->offset + i;
            if (!dlk_arrow_is_valid(ca, j)) {
                rk[i] = 0; /* nulls first */
                continue;
            }
            rc = encode(cs, ca, j, &er[m].v);
            er[m++].row = i;
        }
        if (rc) break;
        qsort(er, (size_t)m, sizeof *er, cmp_enc);
        /* dense ranks 1..D, scaled to [0, 2^bits) */
        uint64_t d = 0;
        for (int64_t i = 0; i < m; i++)
            if (i == 0 || er[i].v != er[i - 1].v) d++;
        uint64_t top = (bits == 32 ? 0xFFFFFFFFull : ((1ull << bits) - 1));
        uint64_t r = 0;
        for (int64_t i = 0; i < m; i++) {
            if (i == 0 || er[i].v != er[i - 1].v) r++;
            rk[er[i].row] = (uint32_t)(d ? (r * top) / d : 0);
        }
    }
    if (!rc) {
        for (int64_t i = 0; i < n; i++) {
            uint64_t h = 0, l = 0;
            unsigned pos = 0; /* output bit, 0 = most significant of hi */
            for (int b = (int)bits - 1; b >= 0; b--)
                for (size_t c = 0; c < n_cols; c++, pos++) {
                    uint64_t bit = (rank[(size_t)c * (size_t)n + (size_t)i] >> b) & 1;
                    if (pos < 64)
                        h |= bit << (63 - pos);
                    else
                        l |= bit << (127 - pos);
                }
            hi[i] = h;
            lo[i] = l;
        }
    }
    dlk_free(er);
    dlk_free(rank);
    return rc;
}

/* All batches of the stream as one batch (schema of the stream), through
 * the scan's batch concatenation (sort.h). */
static int gather(dlk_read__scan *in, const struct ArrowSchema *schema, struct ArrowArray *out)
{
    struct ArrowArray **parts = NULL;
    size_t n = 0, cap = 0;
    int rc = DLK_OK;
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(in, &b)) || !b.release) break;
        if (b.length == 0) {
            dlk_arrow_array_release(&b);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct ArrowArray **np = dlk_realloc(parts, cap * sizeof *np);
            if (!np) {
                dlk_arrow_array_release(&b);
                rc = dlk_err_nomem();
                break;
            }
            parts = np;
        }
        parts[n] = dlk_malloc(sizeof **parts);
        if (!parts[n]) {
            dlk_arrow_array_release(&b);
            rc = dlk_err_nomem();
            break;
        }
        dlk_arrow_array_move(&b, parts[n++]);
    }
    if (!rc) rc = n ? dlk_ops__concat(schema, parts, n, out) : DLK_OK;
    for (size_t i = 0; i < n; i++) {
        dlk_arrow_array_release(parts[i]);
        dlk_free(parts[i]);
    }
    dlk_free(parts);
    return rc;
}

int dlk_ops__zorder_rewrite(dlk_read__scan *in, const struct ArrowSchema *schema,
                            const int64_t *cols, size_t n_cols, int64_t input_bytes,
                            uint64_t target, dlk_ops__files *out, const char *const *part_vals)
{
    struct ArrowArray all = {0};
    int rc = gather(in, schema, &all);
    if (rc) return rc;
    int64_t n = all.release ? all.length : 0;
    if (n == 0) {
        dlk_arrow_array_release(&all);
        return DLK_OK;
    }
    uint64_t *hi = dlk_malloc(sizeof(uint64_t) * (size_t)n),
             *lo = dlk_malloc(sizeof(uint64_t) * (size_t)n);
    int64_t *sel = dlk_malloc(sizeof(int64_t) * (size_t)n);
    if (!hi || !lo || !sel) rc = dlk_err_nomem();
    if (!rc) rc = dlk_ops__zorder_keys(schema, &all, cols, n_cols, hi, lo);
    if (!rc) {
        for (int64_t i = 0; i < n; i++)
            sel[i] = i;
        dlk_ops__sort_by_key(sel, hi, lo, n);
    }
    int64_t n_files = target ? (int64_t)(((uint64_t)input_bytes + target - 1) / target) : 1;
    if (n_files < 1) n_files = 1;
    if (n_files > n) n_files = n;
    int64_t per = (n + n_files - 1) / n_files;
    for (int64_t k = 0; k < n && !rc; k += per) {
        int64_t m = n - k < per ? n - k : per;
        struct ArrowArray part;
        rc = dlk_expr_take(schema, &all, sel + k, m, &part);
        if (rc) break;
        rc = dlk_ops__files_write(out, &part, part_vals);
        dlk_arrow_array_release(&part);
        if (!rc) rc = dlk_ops__files_cut(out);
    }
    dlk_free(hi);
    dlk_free(lo);
    dlk_free(sel);
    dlk_arrow_array_release(&all);
    return rc;
}
