/*
 * core/schema_ddl.h - the CLI's `--schema` text: Spark-SQL style DDL with
 * Delta type names, parsed into an Arrow "+s" schema.
 *
 *   id string not null, ts timestamp, attrs map<string,string>,
 *   s struct<a: int, `odd name`: string>, d decimal(10,2), tags array<string>
 *
 * Types (case-insensitive): string, long|bigint, int|integer, short|smallint,
 * byte|tinyint, float|real, double, boolean|bool, binary, date, timestamp,
 * timestamp_ntz, decimal|dec|numeric[(p[,s])] (default 10,0), array<T>,
 * map<K,V>, struct<name[:] T [not null], ...>. Names may be `backticked`
 * (a doubled `` inside stands for one backtick). Fields are nullable unless
 * followed by NOT NULL; array elements and map values are nullable, map keys
 * not. An optional COMMENT 'text' after a field is accepted and ignored.
 *
 * Arrow formats as in arrow/arrow.h (list child "element", map child
 * "entries" with "key" and "value").
 */
#ifndef DLK_CORE_SCHEMA_DDL_H
#define DLK_CORE_SCHEMA_DDL_H

#include "deltalake/arrow_abi.h"
#include "util/buf.h"

/* Parse ddl into *out ("+s", name ""). DLK_PARSE naming the 1-based
 * character position on error ("schema: position 12: expected a type,
 * got 'strng'"), DLK_INVALID_ARGUMENT for duplicate names or a bad
 * decimal precision/scale. The caller releases *out. */
int dlk_core_schema_ddl_parse(const char *ddl, struct ArrowSchema *out);

/* Append the Delta type name of an Arrow schema node to b ("long",
 * "decimal(10,2)", "array<string>", "struct<a:int,...>"). Unknown formats
 * are appended as "arrow:<format>". */
int dlk_core_type_name(const struct ArrowSchema *s, dlk_buf *b);

#endif
