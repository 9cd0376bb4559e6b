/*
 * deltalake/arrow_json.h - rendering Arrow C Data Interface values as JSON
 * text, following the jsonl value conventions of the CLI:
 * integers exact; float/double in the shortest form that reads back to
 * the same value of their width ("NaN", "Infinity", "-Infinity" as
 * strings); dates "YYYY-MM-DD"; timestamps "YYYY-MM-DDTHH:MM:SS.ffffffZ"
 * (with Z when the Arrow timezone is set, without for timestamp_ntz);
 * decimals as strings with exactly `scale` fraction digits; binary as
 * base64; structs and maps as objects (map keys as strings); lists as
 * arrays; fixed-size binary as base64; time of day "HH:MM:SS.ffffff".
 *
 * Output is appended to a growable buffer (*buf, *len, *cap) that starts as
 * {NULL, 0, 0}; it stays NUL-terminated and is freed with dlk_string_free
 * (types.h).
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_ARROW_JSON_H
#define DELTALAKE_ARROW_JSON_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Flag: render a top-level string value without JSON quotes/escapes (CSV, tables). */
#define DLK_JSON_RAW_STRINGS 1

/** Append value `i` of `array` (type `schema`) as JSON. DLK_UNSUPPORTED for unknown formats. */
DLK_EXTERN int dlk_arrow_json_value(const struct ArrowSchema *schema, const struct ArrowArray *array,
                                    int64_t i, int flags, char **buf, size_t *len, size_t *cap);
/** Append row `row` of a "+s" struct array as one JSON object {"field": value, ...}. */
DLK_EXTERN int dlk_arrow_json_row(const struct ArrowSchema *schema, const struct ArrowArray *array,
                                  int64_t row, char **buf, size_t *len, size_t *cap);

#ifdef __cplusplus
}
#endif
#endif
