/*
 * read/count.c - row counts of a snapshot (`deltalake query --count`,
 * dlk_where_count): from add stats when no predicate needs the data,
 * otherwise from a scan that reads only the predicate's columns.
 */
#include "deltalake/where.h"
#include "read/scan_iter.h"
#include "util/alloc.h"
#include "util/error.h"

#include <jansson.h>
#include <string.h>

/* numRecords of a file's stats, or -1 when unknown. */
static int64_t stats_records(const dlk_file_info *f)
{
    if (!f->stats) return -1;
    json_t *j = json_loads(f->stats, JSON_DECODE_ANY, NULL);
    json_t *n = json_object_get(j, "numRecords");
    int64_t v =
        json_is_integer(n) && json_integer_value(n) >= 0 ? (int64_t)json_integer_value(n) : -1;
    json_decref(j);
    return v;
}

static int by_stats_filter(void *ctx, const dlk_file_info *f, bool *keep)
{
    (void)ctx;
    *keep = stats_records(f) < 0;
    return DLK_OK;
}

static int count_scan(const dlk_snapshot *snap, dlk_where *w, int64_t *count, int64_t *files_read)
{
    static const char *const no_cols[1] = {NULL};
    dlk_scan_options o = DLK_SCAN_OPTIONS_INIT;
    if (w)
        dlk_where_apply(w, &o);
    else
        o.file_filter = by_stats_filter; /* only files the stats cannot count */
    o.columns = no_cols;
    o.n_columns = 0;
    dlk_read__scan *s = NULL;
    int rc = dlk_read__scan_open(snap, &o, &s);
    if (rc) return rc;
    int64_t n = 0;
    while (!rc) {
        struct ArrowArray b;
        if ((rc = dlk_read__scan_next(s, &b)) || !b.release) break;
        n += b.length;
        b.release(&b);
    }
    if (!rc) {
        dlk_scan_stats st;
        dlk_read__scan_stats(s, &st);
        if (files_read) *files_read = st.files_read;
        *count += n;
    }
    dlk_read__scan_free(&s);
    return rc;
}

int dlk_where_count(const dlk_snapshot *snap, dlk_where *w, int64_t *count, int64_t *files_read)
{
    if (!snap || !count) return dlk_err_set(DLK_INVALID_ARGUMENT, "dlk_where_count: NULL argument");
    *count = 0;
    if (files_read) *files_read = 0;
    if (w) return count_scan(snap, w, count, files_read);
    bool unknown = false;
    for (size_t i = 0; i < dlk_snapshot_file_count(snap); i++) {
        const dlk_file_info *f = dlk_snapshot_file(snap, i);
        int64_t n = stats_records(f);
        if (n < 0)
            unknown = true;
        else
            *count += n - f->deleted_rows;
    }
    return unknown ? count_scan(snap, NULL, count, files_read) : DLK_OK;
}
