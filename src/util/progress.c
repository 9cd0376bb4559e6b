/* util/progress.c - process-wide progress counters and callback (see
 * deltalake/progress.h). */
#include "util/progress.h"
#include "deltalake/progress.h"
#include "util/error.h"
#include "util/time.h"

#include <stdatomic.h>
#include <stddef.h>

static _Atomic(dlk_progress_fn) g_fn;
static void *_Atomic g_user;
static atomic_bool g_cancel;
static _Atomic int64_t g_rows, g_bytes, g_files, g_deleted, g_start_ns;

void dlk_progress_set_callback(dlk_progress_fn fn, void *user)
{
    atomic_store(&g_user, user);
    atomic_store(&g_fn, fn);
}

void dlk_progress_cancel(void)
{
    atomic_store(&g_cancel, true);
}

void dlk_progress_reset(void)
{
    atomic_store(&g_cancel, false);
    atomic_store(&g_rows, 0);
    atomic_store(&g_bytes, 0);
    atomic_store(&g_files, 0);
    atomic_store(&g_deleted, 0);
    atomic_store(&g_start_ns, dlk_monotonic_ns());
}

void dlk_progress_get(dlk_progress *out)
{
    int64_t start = atomic_load(&g_start_ns);
    out->rows = atomic_load(&g_rows);
    out->bytes = atomic_load(&g_bytes);
    out->files = atomic_load(&g_files);
    out->files_deleted = atomic_load(&g_deleted);
    out->elapsed_us = start ? (dlk_monotonic_ns() - start) / 1000 : 0;
}

int dlk_progress_add(int64_t rows, int64_t bytes, int64_t files, int64_t files_deleted)
{
    if (rows) atomic_fetch_add(&g_rows, rows);
    if (bytes) atomic_fetch_add(&g_bytes, bytes);
    if (files) atomic_fetch_add(&g_files, files);
    if (files_deleted) atomic_fetch_add(&g_deleted, files_deleted);
    dlk_progress_fn fn = atomic_load(&g_fn);
    if (fn) {
        dlk_progress p;
        dlk_progress_get(&p);
        fn(&p, atomic_load(&g_user));
    }
    return dlk_progress_cancelled();
}

int dlk_progress_cancelled(void)
{
    if (!atomic_load(&g_cancel)) return DLK_OK;
    return dlk_err_set(DLK_CANCELLED, "cancelled (interrupted) before the commit; the data files "
                                      "written so far are removed and the table is unchanged");
}
