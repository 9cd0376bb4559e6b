/*
 * core/schema_json.h - Delta `schemaString` (the JSON struct type of
 * metaData) to and from an Arrow "+s" schema, for the write path.
 *
 * Types: the Delta primitive names (string, long, integer, short, byte,
 * float, double, boolean, binary, date, timestamp, timestamp_ntz,
 * decimal(p,s)) and {"type":"array"|"map"|"struct",...} objects, mapped to
 * the Arrow formats of arrow/arrow.h. Field metadata is not kept.
 */
#ifndef DLK_CORE_SCHEMA_JSON_H
#define DLK_CORE_SCHEMA_JSON_H

#include "deltalake/arrow_abi.h"
#include "util/buf.h"
#include <stddef.h>

/* Parse n bytes of schemaString into *out. DLK_PARSE (bad JSON, with line
 * and column), DLK_UNSUPPORTED (an unknown type, named). */
int dlk_core_schema_from_json(const char *text, size_t n, struct ArrowSchema *out);
/* Append the schemaString of a "+s" schema to b. DLK_UNSUPPORTED for an
 * Arrow format with no Delta type. */
int dlk_core_schema_to_json(const struct ArrowSchema *s, dlk_buf *b);

#endif
