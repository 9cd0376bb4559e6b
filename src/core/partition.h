/*
 * core/partition.h - partition paths ("service_name=web/date=2024-01-01",
 * hive notation): the one parser used by upsert, delete, update and bulk
 * insert, and matching of files and partition values against a path.
 */
#ifndef DLK_CORE_PARTITION_H
#define DLK_CORE_PARTITION_H

#include "deltalake/arrow_abi.h"
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

/* ---- predicates over partition values (replace_where, delete by partition) ---- */

/* A predicate of the expression language (deltalake/expr.h) bound to the
 * partition columns of a table, evaluated exactly on partition values. */
typedef struct dlk_ops__ppred dlk_ops__ppred;

/* Parse text and bind it to the partition columns part_cols (logical names)
 * of table_schema. Errors name `what` ("replace_where: ...") and carry the
 * expression layer's code and position (DLK_PARSE, DLK_NOT_FOUND with a
 * did-you-mean, DLK_SCHEMA_MISMATCH); a column of the table that is not a
 * partition column is DLK_UNSUPPORTED naming it and its position. */
int dlk_ops__ppred_new(const char *what, const char *text, const struct ArrowSchema *table_schema,
                       const char *const *part_cols, size_t n_part, dlk_ops__ppred **out);
void dlk_ops__ppred_free(dlk_ops__ppred **p);
/* Evaluate on n_rows sets of partition values: vals[r * n_part + k] is the
 * serialized value (Delta partition-value notation) of part_cols[k] in row
 * r, NULL or "" for null. match[r] = the predicate is TRUE. DLK_PARSE for
 * a value that does not parse as its column's type. */
int dlk_ops__ppred_eval(dlk_ops__ppred *p, const char *const *vals, size_t n_rows, bool *match);
/* One row, remembered per distinct values (files share partitions). */
int dlk_ops__ppred_match(dlk_ops__ppred *p, const char *const *vals, bool *match);

#endif
