/*
 * deltalake/schema.h - table schemas as Arrow "+s" structs: parsed from DDL
 * text or a Delta schemaString file, rendered as Delta schemaString JSON and
 * type names, or assembled field by field with the schema builder.
 *
 * Field metadata of table schemas: "delta.metadata" (the field's Delta
 * metadata as JSON), "delta.columnMapping.physicalName" and
 * "PARQUET:field_id" on column-mapped tables. Strings returned through
 * char ** are freed with dlk_string_free (types.h).
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_SCHEMA_H
#define DELTALAKE_SCHEMA_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parse a schema given as DDL ("id string not null, ts timestamp,
 * attrs map<string,string>, s struct<a: int>, d decimal(10,2)"; Delta/Spark
 * type names, `backticked` names) or as "@FILE.json" (a file holding a Delta
 * schemaString) into an Arrow "+s" schema. The caller releases *out.
 * Errors: DLK_PARSE with the position, DLK_INVALID_ARGUMENT, DLK_IO.
 */
DLK_EXTERN int dlk_schema_parse(const char *text, struct ArrowSchema *out);

/** Delta schemaString JSON of an Arrow "+s" schema. *out is freed with dlk_string_free. */
DLK_EXTERN int dlk_schema_to_delta_json(const struct ArrowSchema *schema, char **out);

/** Delta type name of a schema field ("long", "decimal(10,2)",
 *  "array<string>", "struct<a:int>"). *out is freed with dlk_string_free. */
DLK_EXTERN int dlk_type_name(const struct ArrowSchema *field, char **out);

/* ---- schema builder ---- */

/** Delta primitive types for dlk_schema_builder_add_type. */
typedef enum dlk_type {
    DLK_TYPE_STRING = 0,
    DLK_TYPE_LONG,
    DLK_TYPE_INT,
    DLK_TYPE_SHORT,
    DLK_TYPE_BYTE,
    DLK_TYPE_FLOAT,
    DLK_TYPE_DOUBLE,
    DLK_TYPE_BOOLEAN,
    DLK_TYPE_BINARY,
    DLK_TYPE_DATE,
    DLK_TYPE_TIMESTAMP,
    DLK_TYPE_TIMESTAMP_NTZ,
} dlk_type;

/** Delta name of a primitive type ("string", ..., "timestamp_ntz"); NULL when unknown. */
DLK_EXTERN const char *dlk_type_to_name(dlk_type t);

/** New empty builder (*out, freed with dlk_schema_builder_free). */
DLK_EXTERN int dlk_schema_builder_new(dlk_schema_builder **out);
DLK_EXTERN void dlk_schema_builder_free(dlk_schema_builder **b);
/**
 * Add a field of a type given as Delta type text: "string", "long" (or
 * "bigint"), "int", "short", "byte", "float", "double", "boolean",
 * "binary", "date", "timestamp", "timestamp_ntz", "decimal(p,s)",
 * "array<T>", "map<K,V>", "struct<a: T, b: T>" (nested to any depth).
 * Errors: DLK_PARSE (bad type, with position), DLK_INVALID_ARGUMENT (empty
 * name, duplicate name - case-insensitive as Delta compares names; decimal
 * precision outside 1..38 or scale > precision). An error is also kept and
 * returned again by dlk_schema_builder_finish.
 */
DLK_EXTERN int dlk_schema_builder_add(dlk_schema_builder *b, const char *name, const char *type,
                                      bool nullable);
/** Add a field of a primitive type. */
DLK_EXTERN int dlk_schema_builder_add_type(dlk_schema_builder *b, const char *name, dlk_type type,
                                           bool nullable);
/** decimal(precision, scale): 1 <= precision <= 38, 0 <= scale <= precision. */
DLK_EXTERN int dlk_schema_builder_add_decimal(dlk_schema_builder *b, const char *name,
                                              int precision, int scale, bool nullable);
/** array<element_type> (type text as above); contains_null: elements may be null. */
DLK_EXTERN int dlk_schema_builder_add_array(dlk_schema_builder *b, const char *name,
                                            const char *element_type, bool contains_null,
                                            bool nullable);
/** map<key_type, value_type>; keys are never null. */
DLK_EXTERN int dlk_schema_builder_add_map(dlk_schema_builder *b, const char *name,
                                          const char *key_type, const char *value_type,
                                          bool value_contains_null, bool nullable);
/** Open a struct field: later adds go into it until dlk_schema_builder_end_struct. */
DLK_EXTERN int dlk_schema_builder_begin_struct(dlk_schema_builder *b, const char *name,
                                               bool nullable);
/** Close the innermost open struct (DLK_INVALID_ARGUMENT when none is open or it is empty). */
DLK_EXTERN int dlk_schema_builder_end_struct(dlk_schema_builder *b);
/** Add a copy of an Arrow field (a Delta-representable type, field name as its name). */
DLK_EXTERN int dlk_schema_builder_add_arrow(dlk_schema_builder *b, const struct ArrowSchema *field);
/**
 * Finish: *out gets the "+s" schema (caller releases it). Returns the first
 * error of an add, DLK_INVALID_ARGUMENT when there is no field or a struct
 * is still open. The builder is emptied and may be reused.
 */
DLK_EXTERN int dlk_schema_builder_finish(dlk_schema_builder *b, struct ArrowSchema *out);

#ifdef __cplusplus
}
#endif
#endif
