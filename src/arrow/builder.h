/*
 * arrow/builder.h - typed column builders producing Arrow C Data Interface
 * arrays (and a compact schema notation for tests and tools).
 *
 * A builder is a tree mirroring an ArrowSchema. Values are appended to the
 * leaf builders; nested builders record structure:
 *
 *   struct  "+s": dlk_arrow_builder_begin(b) opens a valid slot, then the
 *           caller appends to the children it has; dlk_arrow_builder_end(b)
 *           pads every child that got no value with a null (error if that
 *           child is not nullable, or if a child got more than one value).
 *   list    "+l": begin(b), append any number of values to child(b, 0),
 *           end(b).
 *   map     "+m": begin(b), append keys to dlk_arrow_builder_map_key(b) and
 *           values to dlk_arrow_builder_map_value(b) (one each per entry),
 *           end(b).
 *   null    append_null on any builder appends a null slot; on a struct it
 *           also appends null to every child (the Arrow layout needs equal
 *           lengths), on list/map an empty null entry.
 *
 * The root builder of a batch is normally a "+s" struct: one begin/end pair
 * per row. dlk_arrow_builder_finish hands out the built array (the caller
 * releases it) and resets the builder to length 0 for the next batch.
 *
 * Appends check the value against the type (range of integer widths,
 * width of "w:N", decimal precision) and return DLK_SCHEMA_MISMATCH with a
 * message naming the column when it does not fit. Supported formats:
 * b c s i l C S I L f g u z w:N tdD ts[smun]:TZ d:p,s +s +l +m.
 */
#ifndef DLK_ARROW_BUILDER_H
#define DLK_ARROW_BUILDER_H

#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_arrow_builder dlk_arrow_builder;

/* New builder for schema (deep-copied; the caller keeps its schema). */
int dlk_arrow_builder_new(const struct ArrowSchema *schema, dlk_arrow_builder **out);
/* NULL-safe; frees the tree (only call on the root). */
void dlk_arrow_builder_free(dlk_arrow_builder *b);

/* Child i of a struct (field i), list (0 = element) or map (0 = entries);
 * NULL when out of range. Borrowed, lives as long as the root. */
dlk_arrow_builder *dlk_arrow_builder_child(dlk_arrow_builder *b, int64_t i);
/* Child by field name (struct only); NULL when absent. */
dlk_arrow_builder *dlk_arrow_builder_child_by_name(dlk_arrow_builder *b, const char *name);
dlk_arrow_builder *dlk_arrow_builder_map_key(dlk_arrow_builder *b);
dlk_arrow_builder *dlk_arrow_builder_map_value(dlk_arrow_builder *b);
int64_t dlk_arrow_builder_n_children(const dlk_arrow_builder *b);
/* The schema node of this builder (borrowed). */
const struct ArrowSchema *dlk_arrow_builder_schema(const dlk_arrow_builder *b);
/* Number of slots appended so far. */
int64_t dlk_arrow_builder_length(const dlk_arrow_builder *b);
/* Rough number of bytes held (values, offsets, bitmaps) in the whole tree. */
size_t dlk_arrow_builder_bytes(const dlk_arrow_builder *b);

int dlk_arrow_builder_append_null(dlk_arrow_builder *b);
/* Integers, date (days), timestamps (in the unit of the format), decimals
 * (the unscaled value), floats (converted). */
int dlk_arrow_builder_append_int(dlk_arrow_builder *b, int64_t v);
/* Unsigned integers (also fits any signed type when in range). */
int dlk_arrow_builder_append_uint(dlk_arrow_builder *b, uint64_t v);
/* Float and double ("f", "g"). */
int dlk_arrow_builder_append_double(dlk_arrow_builder *b, double v);
int dlk_arrow_builder_append_bool(dlk_arrow_builder *b, bool v);
/* String "u", binary "z", fixed "w:N" (n must be N). */
int dlk_arrow_builder_append_bytes(dlk_arrow_builder *b, const void *p, size_t n);
int dlk_arrow_builder_append_string(dlk_arrow_builder *b, const char *s);
/* Decimal "d:p,s": the unscaled 128-bit value as high and low 64 bits. */
int dlk_arrow_builder_append_decimal(dlk_arrow_builder *b, int64_t hi, uint64_t lo);
/* Decimal from text ("-12.5", "3", "1e3" not accepted): rescaled to the
 * column's scale (extra fraction digits are an error, not rounded). */
int dlk_arrow_builder_append_decimal_str(dlk_arrow_builder *b, const char *s, size_t n);

/* Open / close a valid struct, list or map slot (see the top comment). */
int dlk_arrow_builder_begin(dlk_arrow_builder *b);
int dlk_arrow_builder_end(dlk_arrow_builder *b);

/* Move the built array to *out (caller releases) and reset b (root). */
int dlk_arrow_builder_finish(dlk_arrow_builder *b, struct ArrowArray *out);

/*
 * Compact schema notation (tests, tools): a comma-separated field list
 *     "id: l!, name: u, price: d:10,2, ts: tsu:UTC, tags: +l<u>,
 *      attrs: +m<u!, l>, pt: +s<x: g, y: g!>"
 * Each field is `name: type` with a trailing `!` for not null. Types are
 * Arrow format strings; +l<T> is a list of T (element "element"), +m<K, V>
 * a map (entries "entries" of "key", "value"; keys are always not null),
 * +s<fields> a struct. The result is a "+s" root with name "".
 */
int dlk_arrow_schema_parse(const char *spec, struct ArrowSchema *out);

#endif
