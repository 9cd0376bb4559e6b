/*
 * core/schema.h - the Delta schema (metaData.schemaString, the Delta protocol
 * "Schema Serialization Format") as an Arrow "+s" schema, and back.
 *
 * Type mapping (Arrow formats as in arrow/arrow.h): string "u", long "l",
 * integer "i", short "s", byte "c", float "f", double "g", boolean "b",
 * binary "z", date "tdD", timestamp "tsu:UTC", timestamp_ntz "tsu:",
 * decimal(p,s) "d:p,s", void "n", struct "+s", array "+l" (child
 * "element"), map "+m" (child "entries" = "+s" of "key", "value").
 * nullable / containsNull / valueContainsNull become ARROW_FLAG_NULLABLE
 * (map keys are never nullable).
 *
 * Field metadata is kept on each Arrow field:
 *   "delta.metadata"  - the field's Delta metadata object as compact JSON
 *                       (round-trips verbatim),
 *   "delta.columnMapping.physicalName" - when present,
 *   "PARQUET:field_id" - delta.columnMapping.id, when present (the Parquet
 *                       writer stores it as the field id).
 */
#ifndef DLK_CORE_SCHEMA_H
#define DLK_CORE_SCHEMA_H

#include "deltalake/arrow_abi.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stdint.h>

#define DLK_MD_DELTA "delta.metadata"
#define DLK_MD_PHYSICAL_NAME "delta.columnMapping.physicalName"
#define DLK_MD_FIELD_ID "PARQUET:field_id"

/* Parse a schemaString into *out ("+s", name ""). DLK_CORRUPT naming the
 * field path on a malformed schema; DLK_UNSUPPORTED naming the type for a
 * type we cannot read (e.g. variant). Caller releases *out. */
int dlk_core_schema_from_json(const char *json, struct ArrowSchema *out);

/* Append the schemaString of a "+s" Arrow schema to b. Formats outside the
 * Delta types give DLK_UNSUPPORTED naming the field. */
int dlk_core_schema_to_json(const struct ArrowSchema *schema, dlk_buf *b);

/* The field's physical name (column mapping) into out (cap bytes), or its
 * logical name when it has none. */
const char *dlk_core_field_physical_name(const struct ArrowSchema *field, char *out, size_t cap);
/* The field's column-mapping id, or -1. */
int64_t dlk_core_field_id(const struct ArrowSchema *field);

#endif
