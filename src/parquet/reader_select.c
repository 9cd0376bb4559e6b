/*
 * parquet/reader_select.c - row-group selection: which row groups of a file
 * can hold wanted rows, judged from the column-chunk statistics
 * (dlk_pq_column_stats) either by a caller's predicate callback or by
 * min/max bounds per leaf column. Never reads pages: a skipped row group
 * costs nothing but the footer already parsed.
 *
 * Bounds semantics: a row group is kept unless some bound proves that no
 * row can have a value of that column within [lo, hi]: the chunk's
 * [min, max] does not meet [lo, hi], or every value is null. Missing or
 * unusable statistics (see dlk_pq_column_stats) keep the row group.
 */
#include "parquet/reader_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

int dlk_pq_select_row_groups(const dlk_pq_file *f, dlk_pq_row_group_pred pred, void *ctx,
                             bool *keep, int *n_kept)
{
    if (!f || !keep)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "select_row_groups: missing argument");
    int kept = 0;
    for (int rg = 0; rg < f->meta.n_row_groups; rg++) {
        bool k = true;
        if (pred) {
            int rc = pred(ctx, f, rg, &k);
            if (rc) return dlk_err_context(rc, "%s: row group %d", f->name, rg);
        }
        keep[rg] = k;
        kept += k;
    }
    if (n_kept) *n_kept = kept;
    return DLK_OK;
}

static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

static int cmp_dec(int64_t ahi, uint64_t alo, int64_t bhi, uint64_t blo)
{
    if (ahi != bhi) return ahi < bhi ? -1 : 1;
    return alo < blo ? -1 : alo > blo ? 1 : 0;
}

/* Compare the stats' min (which=0) or max (which=1) with the bound's lo
 * (lo=true) or hi. Returns -1/0/1, or 2 when incomparable (NaN). */
static int cmp_stat(const dlk_pq_col_stats *s, int which, const dlk_pq_bound *b, bool lo)
{
    switch (s->kind) {
    case DLK_PQ_STAT_INT:
    case DLK_PQ_STAT_BOOL: {
        int64_t x = which ? s->max_i : s->min_i, y = lo ? b->lo_i : b->hi_i;
        return x < y ? -1 : x > y;
    }
    case DLK_PQ_STAT_UINT: {
        uint64_t x = which ? s->max_u : s->min_u, y = lo ? b->lo_u : b->hi_u;
        return x < y ? -1 : x > y;
    }
    case DLK_PQ_STAT_DOUBLE: {
        double x = which ? s->max_d : s->min_d, y = lo ? b->lo_d : b->hi_d;
        if (x != x || y != y) return 2;
        return x < y ? -1 : x > y;
    }
    case DLK_PQ_STAT_DECIMAL:
        return which ? cmp_dec(s->max_i, s->max_u, lo ? b->lo_i : b->hi_i, lo ? b->lo_u : b->hi_u)
                     : cmp_dec(s->min_i, s->min_u, lo ? b->lo_i : b->hi_i, lo ? b->lo_u : b->hi_u);
    case DLK_PQ_STAT_BYTES:
        return which ? cmp_bytes(s->max_b, s->max_b_len, lo ? b->lo_b : b->hi_b,
                                 lo ? b->lo_b_len : b->hi_b_len)
                     : cmp_bytes(s->min_b, s->min_b_len, lo ? b->lo_b : b->hi_b,
                                 lo ? b->lo_b_len : b->hi_b_len);
    default:
        return 2;
    }
}

static const char *kind_name(int k)
{
    static const char *names[] = {"none", "int", "uint", "double", "bytes", "decimal", "bool"};
    return k >= 0 && k <= DLK_PQ_STAT_BOOL ? names[k] : "?";
}

int dlk_pq_row_group_in_bounds(const dlk_pq_file *f, int rg, const dlk_pq_bound *bounds, size_t n,
                               bool *might)
{
    if (!f || !might || (n && !bounds))
        return dlk_err_set(DLK_INVALID_ARGUMENT, "row_group_in_bounds: missing argument");
    *might = true;
    if (rg < 0 || rg >= f->meta.n_row_groups)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "%s: row group %d out of range (%d)", f->name, rg,
                           f->meta.n_row_groups);
    if (f->meta.row_groups[rg].num_rows == 0) {
        *might = false;
        return DLK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const dlk_pq_bound *b = &bounds[i];
        if (!b->leaf_path) return dlk_err_set(DLK_INVALID_ARGUMENT, "bound %zu: no leaf_path", i);
        if (!b->has_lo && !b->has_hi) continue;
        dlk_pq_col_stats s;
        int rc = dlk_pq_column_stats(f, rg, b->leaf_path, &s);
        if (rc) return rc;
        if (s.null_count >= 0 && s.num_values > 0 && s.null_count >= s.num_values) {
            *might = false; /* only nulls: no value lies within the bound */
            return DLK_OK;
        }
        if (!s.has_min_max) continue;
        if (b->kind != s.kind)
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "%s: bound on '%s' is of kind %s, its statistics are %s", f->name,
                               b->leaf_path, kind_name(b->kind), kind_name(s.kind));
        if (s.kind == DLK_PQ_STAT_BYTES &&
            ((b->has_lo && !b->lo_b && b->lo_b_len) || (b->has_hi && !b->hi_b && b->hi_b_len)))
            return dlk_err_set(DLK_INVALID_ARGUMENT, "bound on '%s': NULL bytes", b->leaf_path);
        /* disjoint when max < lo or min > hi */
        if (b->has_lo) {
            int c = cmp_stat(&s, 1, b, true);
            if (c == -1) {
                *might = false;
                return DLK_OK;
            }
        }
        if (b->has_hi) {
            int c = cmp_stat(&s, 0, b, false);
            if (c == 1) {
                *might = false;
                return DLK_OK;
            }
        }
    }
    return DLK_OK;
}
