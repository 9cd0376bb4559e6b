/*
 * arrow/arrow.h - allocating, releasing and inspecting Arrow C Data
 * Interface structs (include/deltalake/arrow_abi.h).
 *
 * This is the in-memory column format of the whole library: the Parquet
 * reader produces these arrays, the writer consumes them, expressions
 * evaluate over them and query results leave the library as them.
 *
 * Arrays made by dlk_arrow_array_new own their buffers (allocated with
 * dlk_malloc), their children and their dictionary; their release frees
 * all of it. Schemas made by dlk_arrow_schema_new own copies of format and
 * name, their children and dictionary.
 *
 * Formats used (Arrow format strings) for the Delta types:
 *   boolean "b", byte "c", short "s", int "i", long "l", float "f",
 *   double "g", string "u", binary "z", date "tdD", timestamp "tsu:UTC",
 *   timestamp_ntz "tsu:", decimal(p,s) "d:p,s", struct "+s", array "+l",
 *   map "+m" (child "entries" struct of key, value). Parquet-only types:
 *   uint8..64 "C","S","I","L", fixed binary "w:N", float16 "e",
 *   large offsets are never produced.
 */
#ifndef DLK_ARROW_ARROW_H
#define DLK_ARROW_ARROW_H

#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Initialise *out with n_buffers NULL buffers and n_children zeroed child
 * arrays (already allocated, release NULL). */
int dlk_arrow_array_new(struct ArrowArray *out, int64_t length, int64_t n_buffers,
                        int64_t n_children);
/* Allocate buffer i of a (owned by the array), n bytes, zero-filled. */
void *dlk_arrow_array_alloc_buffer(struct ArrowArray *a, int64_t i, size_t n);
/* Hand an already dlk_malloc'ed block to the array as buffer i. */
void dlk_arrow_array_set_buffer(struct ArrowArray *a, int64_t i, void *p);
/* Add an owned dictionary (zeroed, release NULL) to the array. */
struct ArrowArray *dlk_arrow_array_add_dictionary(struct ArrowArray *a);

int dlk_arrow_schema_new(struct ArrowSchema *out, const char *format, const char *name,
                         int64_t flags, int64_t n_children);
/* Deep copy of a schema. */
int dlk_arrow_schema_copy(const struct ArrowSchema *src, struct ArrowSchema *out);
/* Field metadata (Arrow's encoded key/value block, owned by the schema; only
 * for schemas made by dlk_arrow_schema_new). n = 0 clears it. Copied by
 * dlk_arrow_schema_copy. */
int dlk_arrow_schema_set_metadata(struct ArrowSchema *s, const char *const *keys,
                                  const char *const *values, size_t n);
/* Set from an already encoded block (copied); NULL clears. */
int dlk_arrow_schema_set_metadata_raw(struct ArrowSchema *s, const char *md);
/* Look a key up in an encoded metadata block: value (not NUL-terminated)
 * and its length. */
bool dlk_arrow_metadata_get(const char *md, const char *key, const char **value, size_t *len);
/* Find a direct child by name; -1 when absent. */
int64_t dlk_arrow_schema_find(const struct ArrowSchema *s, const char *name);
/* The Delta type word of an Arrow format for messages ("integer", "long",
 * "string", "timestamp", "decimal", "map", "array", "struct", ...); the
 * format itself when it has none. Static string. */
const char *dlk_arrow_type_word(const char *format);

/* Release helpers that tolerate NULL and already released structs. */
void dlk_arrow_array_release(struct ArrowArray *a);
void dlk_arrow_schema_release(struct ArrowSchema *s);
void dlk_arrow_stream_release(struct ArrowArrayStream *s);

/* Move: *dst = *src, src marked released. */
void dlk_arrow_array_move(struct ArrowArray *src, struct ArrowArray *dst);
void dlk_arrow_schema_move(struct ArrowSchema *src, struct ArrowSchema *dst);

static inline bool dlk_bit_get(const uint8_t *bits, int64_t i)
{
    return (bits[i >> 3] >> (i & 7)) & 1;
}
static inline void dlk_bit_set(uint8_t *bits, int64_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}
static inline void dlk_bit_clear(uint8_t *bits, int64_t i)
{
    bits[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}
/* Is element i (relative to the array, offset applied) valid? */
static inline bool dlk_arrow_is_valid(const struct ArrowArray *a, int64_t i)
{
    const uint8_t *v = (const uint8_t *)a->buffers[0];
    return a->null_count == 0 || !v || dlk_bit_get(v, a->offset + i);
}

#endif
