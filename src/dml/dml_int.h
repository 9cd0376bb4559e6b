/*
 * dml/dml_int.h - internals shared by delete, update and upsert
 * (dml_delete.c, dml_update.c, dml_upsert.c).
 *
 * A DML operation: dlk_ops__dml_begin loads the writer state and a snapshot
 * of the same version, resolves soft (deletion vectors) vs hard (rewrite)
 * and parses the partition path; the operation then marks rows of data
 * files to delete (physical row positions, the numbering DVs use), may
 * write new rows through dlk_ops__dml_writer; dlk_ops__dml_apply turns the
 * marks into remove / re-add-with-DV / rewrite actions; dlk_ops__dml_commit
 * commits everything with the conflict intent (files removed, partitions
 * read).
 */
#ifndef DLK_OPS_DML_INT_H
#define DLK_OPS_DML_INT_H

#include "core/dv.h"
#include "core/partition.h"
#include "core/txn.h"
#include "deltalake/dml.h"
#include "deltalake/scan.h"
#include "deltalake/sys/storage.h"
#include "read/scan_iter.h"
#include "deltalake/table.h"
#include "deltalake/where.h"
#include "write/write.h"
#include "util/buf.h"
#include "util/hashmap.h"
#include <jansson.h>

/* ---- the operation ---- */

typedef struct dlk_dml_file {
    const dlk_file_info *fi;   /* borrowed from the snapshot */
    const dlk_add_action *add; /* the add action (borrowed from st.files) */
    dlk_dv_bitmap *hit;        /* rows to delete (never rows of the old DV) */
    bool whole;                /* every row goes, without reading */
} dlk_dml_file;

typedef struct dlk_dml {
    const char *root;
    dlk_txn_state st;
    dlk_table *table;
    dlk_snapshot *snap;
    bool soft;    /* deletion vectors; false: rewrite */
    bool upgrade; /* add the deletionVectors feature in this commit */
    dlk_ops__ppath pp;
    dlk_map files;      /* raw path -> dlk_dml_file* (marked files) */
    dlk_vec order;      /* dlk_dml_file* in marking order */
    dlk_map read_parts; /* partition key (see part_key) -> 1: the conflict read set */
    bool read_any;
    dlk_ops__files *w;              /* new data files (write_int.h), opened on first use */
    struct ArrowSchema data_schema; /* the table schema without partition columns */
    uint64_t target;                /* target file size for new files */
    dlk_buf rm_lines, add_lines;    /* remove / add actions built by apply (JSON lines) */
    dlk_arena arena;                /* strings of the actions built */
    int64_t dvs_removed;            /* removes that carried a deletion vector */
    dlk_map removed_paths;          /* raw paths removed or re-added */
    dlk_buf dvfile;                 /* the DV file of this commit (version byte + DVs) */
    uint8_t dv_uuid[16];
    char *dv_key;       /* its storage key once written */
    dlk_storage *store; /* on root, opened to write the DV file */
    int64_t rows_deleted, files_removed, files_rewritten, files_added, dvs_written;
    int64_t files_scanned, files_skipped, rows_written;
} dlk_dml;

/* Load state + snapshot, check writability, resolve the mode, parse (and
 * check the existence of) the partition path. On failure everything is
 * released. */
int dlk_ops__dml_begin(const char *root, int mode, bool enable_dv, const char *partition_path,
                       dlk_dml *d);
/* Release everything; failed: delete new data / DV files. */
void dlk_ops__dml_end(dlk_dml *d, bool failed);

/* Is the file inside the operation's partition path? */
bool dlk_ops__dml_in_scope(const dlk_dml *d, const dlk_file_info *f);
/* Record that the operation read a file's partition (conflict checks): a
 * concurrent commit adding files there makes this one fail. */
int dlk_ops__dml_note_read(dlk_dml *d, const dlk_file_info *f);
/* Scan scope of a DML operation: files in its partition scope that the
 * predicate w (NULL: every row) may match, noted as read; row groups and rows
 * filtered by w. Apply sets o's filter hooks with sc as their context (sc
 * must outlive the scan). */
typedef struct dlk_dml_scope {
    dlk_dml *d;
    dlk_where *w;
} dlk_dml_scope;
void dlk_ops__dml_scope_apply(dlk_dml_scope *sc, dlk_scan_options *o);
/* Same by partition values (st.n_part strings, NULL for null). */
int dlk_ops__dml_note_read_values(dlk_dml *d, const char *const *vals);
/* Mark physical rows of a file for deletion / the whole file. */
int dlk_ops__dml_mark(dlk_dml *d, const dlk_file_info *f, const int64_t *rows, size_t n);
int dlk_ops__dml_mark_whole(dlk_dml *d, const dlk_file_info *f);
/* The writer for new rows (opened on first call): batches of the data
 * schema (dlk_ops__dml_data_schema) with their partition values. */
int dlk_ops__dml_writer(dlk_dml *d, dlk_ops__files **w);
const struct ArrowSchema *dlk_ops__dml_data_schema(const dlk_dml *d);
/* Partition values of a file in partition-column order (n_part borrowed
 * strings; NULL for null) into vals (capacity st.n_part). */
void dlk_ops__dml_part_values(const dlk_dml *d, const dlk_file_info *f, const char **vals);
/* Index in the table schema of each data column (n = data columns). */
int dlk_ops__dml_data_columns(const dlk_dml *d, int64_t **idx, size_t *n);
/* A non-owning "+s" view of batch with the given children, in order
 * (children may come from other arrays of the same length). Valid while
 * they are; release it with view->release. */
int dlk_ops__dml_view(int64_t length, struct ArrowArray *const *children, size_t n,
                      struct ArrowArray *view);

/* Turn the marks into actions: files losing every live row are removed,
 * others get a deletion vector (soft) or are rewritten without the rows
 * (hard). Counts rows_deleted etc. */
int dlk_ops__dml_apply(dlk_dml *d);
/* Commit protocol/metaData upgrade, removes, adds and the writer's new
 * files with a commitInfo (params/metrics borrowed; numAddedFiles etc.
 * are added to metrics). *version: the committed version. */
int dlk_ops__dml_commit(dlk_dml *d, const char *operation, json_t *params, json_t *metrics,
                        int max_attempts, int64_t *version, int *attempts);

#endif
