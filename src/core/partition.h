/*
 * core/partition.h - partition paths ("service_name=web/date=2024-01-01",
 * hive notation): the one parser used by upsert, delete, update and bulk
 * insert, and matching of files and partition values against a path.
 */
#ifndef DLK_CORE_PARTITION_H
#define DLK_CORE_PARTITION_H

#include "deltalake/table.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define DLK_DML_HIVE_NULL "__HIVE_DEFAULT_PARTITION__"

/* ---- partition paths ("a=1/b=2") ---- */

typedef struct dlk_ops__ppath {
    char *text;    /* as given (owned); NULL: no path */
    size_t n_part; /* partition columns of the table */
    bool *set;     /* per partition column: named by the path */
    char **values; /* per partition column: the value (NULL: null) */
} dlk_ops__ppath;

/* Parse a partition path against the table's partition columns: segments
 * "col=value" separated by '/', values URL-decoded (hive escaping),
 * __HIVE_DEFAULT_PARTITION__ for null. DLK_INVALID_ARGUMENT for a column that
 * is not a partition column (named), a repeated column, an empty segment or
 * a missing '='. text NULL or "": an empty path (matches everything). */
int dlk_ops__ppath_parse(const char *text, const char *const *part_cols, size_t n_part,
                         dlk_ops__ppath *out);
void dlk_ops__ppath_free(dlk_ops__ppath *p);
/* Does a file of the snapshot lie in the partition? (true without a path) */
bool dlk_ops__ppath_match_file(const dlk_ops__ppath *p, const char *const *part_cols,
                               const dlk_file_info *f);
/* Same over an add action's partitionValues object. */
bool dlk_ops__ppath_match_json(const dlk_ops__ppath *p, const char *const *part_cols, json_t *pv);

/* Partition values of input rows inside a path: out[i] = vals[i], or the
 * path's value where the row has none (NULL / ""); a row value differing
 * from the path's is DLK_INVALID_ARGUMENT naming it. vals may be NULL. */
int dlk_ops__ppath_scope(const dlk_ops__ppath *p, const char *const *part_cols,
                         const char *const *vals, const char **out);

#endif
