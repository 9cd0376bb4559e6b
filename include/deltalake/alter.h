/*
 * deltalake/alter.h - schema changes of a table (ALTER TABLE): evolve the
 * schema (new columns, the protocol's type widenings, NOT NULL -> nullable),
 * enable column mapping, rename and drop columns.
 *
 * Tables are locations as for write.h. Every change is one commit of
 * metaData (+ protocol when a table feature is needed: typeWidening,
 * timestampNtz, columnMapping); data files are never rewritten. A change
 * needs a writable table (DLK_UNSUPPORTED naming an unknown writer feature
 * otherwise). *version (may be NULL) gets the committed version, or the
 * current one when nothing had to change; -1 on failure. Errors are
 * prefixed with the table and the operation ("T: rename_column: ...").
 *
 * The connector's dlk_table_handle_update_schema / _add_column /
 * _rename_column / _drop_column / _enable_column_mapping (connector.h) wrap
 * these functions.
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_ALTER_H
#define DELTALAKE_ALTER_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Options of the schema evolution functions. NULL means defaults. */
typedef struct dlk_alter_options {
    int version; /**< 1 */
    /** New columns are always nullable; false refuses them (the
     *  connector passes config.allow_nullable). */
    bool allow_nullable;
} dlk_alter_options;

#define DLK_ALTER_OPTIONS_INIT                                                                     \
    {                                                                                              \
        1, true                                                                                    \
    }

/**
 * Evolve the table schema to `schema` ("+s", borrowed) in one metaData
 * commit. Allowed changes:
 *  - new columns (top level, or new fields of structs), nullable (NOT NULL
 *    new columns are refused: existing rows would have none; with
 *    opts->allow_nullable false, new nullable columns are refused too);
 *  - type widening as the protocol allows: byte->short->int->long,
 *    float->double, byte/short/int->double, date->timestamp_ntz,
 *    decimal(p,s)->decimal(p+k,s+j) with k >= j >= 0, and
 *    byte/short/int->decimal with enough integer digits; adds the
 *    typeWidening table feature and the field's delta.typeChanges;
 *  - a NOT NULL column becoming nullable.
 * Every existing column must be present (a missing column is
 * DLK_SCHEMA_MISMATCH: drop and rename with dlk_table_drop_column /
 * dlk_table_rename_column). On a table with column mapping, new columns get
 * a fresh delta.columnMapping.id and a physical name "col-<uuid>". Anything
 * else is DLK_SCHEMA_MISMATCH naming the column with expected (the table's
 * type) and actual (the requested type). Old files keep their types and
 * read as the new schema (missing columns as null, narrow types widened).
 * A concurrent commit taking the version is DLK_CONCURRENT_MODIFICATION.
 */
DLK_EXTERN int dlk_table_update_schema(const char *table, const struct ArrowSchema *schema,
                                       const dlk_alter_options *opts, int64_t *version);

/** Add the fields of `columns` (a "+s", borrowed; e.g. from dlk_schema_parse
 *  or the schema builder) as new nullable top-level columns after the
 *  existing ones, in one commit (as dlk_table_update_schema with the table
 *  schema plus these). DLK_ALREADY_EXISTS when the table has a column of one
 *  of the names (ASCII case ignored), DLK_INVALID_ARGUMENT for an empty
 *  `columns`. */
DLK_EXTERN int dlk_table_add_columns(const char *table, const struct ArrowSchema *columns,
                                     const dlk_alter_options *opts, int64_t *version);

/** Shorthand: add one nullable column `name` of Delta type `type` ("string",
 *  "decimal(10,2)", "map<string,long>", ...; the type text of
 *  dlk_schema_parse, schema.h). DLK_ALREADY_EXISTS when the column exists,
 *  DLK_PARSE for a bad type. */
DLK_EXTERN int dlk_table_add_column(const char *table, const char *name, const char *type,
                                    const dlk_alter_options *opts, int64_t *version);

/*
 * Column mapping (the Delta protocol, https://github.com/delta-io/delta/blob/master/PROTOCOL.md#column-mapping): with
 * delta.columnMapping.mode = name (or id), data files name their columns by
 * physical names and carry Parquet field ids, so a column's logical name can
 * change and a column can leave the schema without rewriting data. Every
 * write of this library (appends, overwrite, upsert/delete/update, optimize)
 * honours the mapping; a table can also be created with it (table property
 * delta.columnMapping.mode=name|id). The commits below are metaData (+
 * protocol) only; when a concurrent commit takes the version, the change is
 * redone on the new latest version (up to 10 times, then
 * DLK_CONCURRENT_MODIFICATION).
 */

/** Enable column mapping (mode "name"): every field gets an id and
 *  physicalName = its current name (existing files keep reading), the
 *  protocol gains the columnMapping table feature (reader 3 / writer 7;
 *  readers without column mapping support can no longer read the table).
 *  A table already mapped is left alone (*version = current version). */
DLK_EXTERN int dlk_table_enable_column_mapping(const char *table, int64_t *version);

/** Rename the column `old_name` to `new_name` (both borrowed; old_name is a
 *  top-level column of that exact name, else a dotted path to a struct
 *  field, "a.b"; new_name is the field's new name within its struct):
 *  the logical name changes, data files are untouched; time travel to a
 *  version before the rename sees the old name. Enables column mapping in
 *  the same commit when the table has none. A partition column can be
 *  renamed too (partition values are keyed by physical names); a column
 *  used by hash bucketing (deltalake.hashBucket.*) cannot
 *  (DLK_INVALID_ARGUMENT). DLK_NOT_FOUND when there is no such column,
 *  DLK_ALREADY_EXISTS when another column has the new name (ASCII case
 *  ignored), DLK_INVALID_ARGUMENT for an empty name. Same name: no commit. */
DLK_EXTERN int dlk_table_rename_column(const char *table, const char *old_name,
                                       const char *new_name, int64_t *version);

/** Drop the column `name` (borrowed; a top-level column, or a dotted path to
 *  a struct field as for rename; the only field of a struct cannot be
 *  dropped): the field leaves the schema, its data stays in the files but is
 *  no longer read (vacuum after a rewrite frees it); its id is never reused,
 *  so a column added later with the same name starts empty. Enables column
 *  mapping in the same commit when the table has none. Partition columns,
 *  hash-bucket columns and the last data column cannot be dropped
 *  (DLK_INVALID_ARGUMENT); DLK_NOT_FOUND when there is no such column. */
DLK_EXTERN int dlk_table_drop_column(const char *table, const char *name, int64_t *version);

#ifdef __cplusplus
}
#endif
#endif
