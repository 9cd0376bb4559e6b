/*
 * core/snapshot.h - internal view of a loaded snapshot (the public API is
 * include/deltalake/table.h). ops/ code (scan, writers) may read these
 * fields directly; they are immutable once loaded.
 */
#ifndef DLK_CORE_SNAPSHOT_H
#define DLK_CORE_SNAPSHOT_H

#include "deltalake/sys/storage.h"
#include "deltalake/table.h"
#include "log/replay.h"

typedef enum { DLK_CM_NONE = 0, DLK_CM_NAME, DLK_CM_ID } dlk_column_mapping_mode;

struct dlk_table {
    dlk_storage *storage;
    char *location;
};

struct dlk_snapshot {
    dlk_table *table;     /* borrowed */
    dlk_storage *storage; /* borrowed from table */
    dlk_log_state st;     /* replayed state (owns the arena) */
    int64_t version;
    int64_t timestamp_ms;
    struct ArrowSchema schema; /* table schema "+s" */
    dlk_column_mapping_mode cm_mode;
    dlk_file_info *files; /* st.n_active entries */
    size_t n_files;
    const char **partition_types; /* Arrow format of each partition column */
};

/* Check that we can read a table with this protocol: DLK_UNSUPPORTED naming
 * the reader version or the first unknown reader feature. */
int dlk_core_protocol_check_read(const dlk_protocol_action *p);
/* Is feature `name` listed among the reader (or writer) features? */
bool dlk_core_protocol_has_feature(const dlk_protocol_action *p, const char *name, bool writer);

/* Load a snapshot from a segment (internal helper of table.c). */
int dlk_core_snapshot_load(dlk_table *t, int64_t version, dlk_snapshot **out);

#endif
