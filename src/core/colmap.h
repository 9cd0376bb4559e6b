/*
 * core/colmap.h - Delta column mapping on the write side (the Delta protocol
 * "Column Mapping"): the table's mode, assigning column ids and physical
 * names to fields, the physical copy of a schema the data files are written
 * with (physical names, PARQUET:field_id), and physical names of partition
 * columns (partitionValues keys, stats keys).
 *
 * The mapping lives in each struct field's Delta metadata
 * (delta.columnMapping.id, delta.columnMapping.physicalName); the table's
 * configuration has delta.columnMapping.mode (none | name | id) and
 * delta.columnMapping.maxColumnId (the largest id ever assigned: ids of
 * dropped columns are never reused).
 */
#ifndef DLK_OPS_COLMAP_H
#define DLK_OPS_COLMAP_H

#include "core/txn.h"
#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stdint.h>

enum { DLK_CMAP_NONE = 0, DLK_CMAP_NAME = 1, DLK_CMAP_ID = 2 };

/* Mode of a configuration value (NULL = none); -1 for an unknown mode. */
int dlk_ops__cm_mode_of(const char *v);
/* Mode of the table (its configuration). */
int dlk_ops__cm_mode(const dlk_txn_state *st);

/* Set field f's mapping metadata (id, physical name), keeping the other
 * entries of its Delta metadata. */
int dlk_ops__cm_set_field(struct ArrowSchema *f, int64_t id, const char *physical);
/* Largest delta.columnMapping.id in the schema (0 when none). */
int64_t dlk_ops__cm_max_id(const struct ArrowSchema *s);
/* Give every struct field (at any depth, also inside arrays and maps) that
 * has no id the id ++*max_id and the physical name "col-<uuid>" (or its
 * current name when keep_names: enabling mapping on a table with data). */
int dlk_ops__cm_assign(struct ArrowSchema *s, int64_t *max_id, bool keep_names);
/* *out: a copy of the "+s" schema s with every struct field named by its
 * physical name (metadata kept, so PARQUET:field_id reaches the files).
 * Caller releases *out. */
int dlk_ops__cm_physical(const struct ArrowSchema *s, struct ArrowSchema *out);
/* Physical name of the top-level column `name` of schema (itself when it has
 * none or is not found), into buf (cap bytes). */
const char *dlk_ops__cm_col_phys(const struct ArrowSchema *schema, const char *name, char *buf,
                                 size_t cap);

#endif
