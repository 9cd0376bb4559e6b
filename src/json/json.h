/*
 * json/json.h - the project's JSON reader for the hot paths (NDJSON
 * records, Delta log actions, add.stats): a strict pull parser over a byte
 * buffer, with no tree and no allocation.
 *
 * The caller walks the text: dlk_json_next reads the next value and tells
 * its type; for an object or array the reader is then inside it, and
 * dlk_json_key / dlk_json_elem step over its members until they report the
 * end. Scalars come back as spans of the input (dlk_json_tok); strings are
 * unescaped only when asked (dlk_json_str_*), numbers converted only when
 * asked (dlk_json_i64, dlk_json_f64, or the digits kept as text for exact
 * decimals and integers beyond 64 bits). dlk_json_skip skips the rest of the
 * container just opened, still validating it.
 *
 * Strict RFC 8259: what jansson accepts with JSON_DECODE_ANY is accepted,
 * what it refuses is refused (bad UTF-8, control characters in strings,
 * lone surrogates, "\u0000", leading zeros, trailing commas, text after the
 * value, nesting deeper than DLK_JSON_MAX_DEPTH), with one deliberate
 * difference: integers beyond 64 bits are valid JSON here (jansson refuses
 * them); dlk_json_i64 reports them out of range.
 *
 * Scanning string bodies is the hot loop: it runs 16 or 32 bytes at a time
 * with SSE2 or AVX2 (chosen at run time on x86-64) and bytewise elsewhere;
 * dlk_json_force_scalar selects the bytewise path (tests compare both).
 *
 * Errors: functions return DLK_OK or DLK_PARSE; the reader keeps the first
 * error (dlk_json_error: message and 1-based line and column of the byte
 * where it was found). They do not touch the thread's last error: the caller
 * sets it with its own context ("line 7, column 3: invalid JSON: ...").
 * After an error every call returns DLK_PARSE again.
 */
#ifndef DLK_JSON_JSON_H
#define DLK_JSON_JSON_H

#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLK_JSON_MAX_DEPTH 2048

typedef enum dlk_json_type {
    DLK_JSON_NULL = 0,
    DLK_JSON_FALSE,
    DLK_JSON_TRUE,
    DLK_JSON_NUMBER,
    DLK_JSON_STRING,
    DLK_JSON_OBJECT,
    DLK_JSON_ARRAY,
} dlk_json_type;

/* A value read by dlk_json_next (or a key by dlk_json_key). Spans point
 * into the input. */
typedef struct dlk_json_tok {
    dlk_json_type type;
    const char *s; /* string: the body between the quotes (raw); number: its text */
    size_t n;
    bool escaped;  /* string: the body holds backslash escapes */
    bool integer;  /* number: no fraction and no exponent */
    size_t offset; /* byte offset of the value's first byte in the input */
} dlk_json_tok;

typedef struct dlk_json_reader {
    const char *base, *p, *end;
    uint32_t depth;
    bool first;                                 /* inside a container, before its first member */
    uint64_t is_array[DLK_JSON_MAX_DEPTH / 64]; /* bit per depth: array, else object */
    bool failed;
    size_t err_off; /* byte offset of the error */
    char err[96];
} dlk_json_reader;

/* Reader over the n bytes at s (borrowed for the reader's life; need not be
 * NUL-terminated). */
void dlk_json_init(dlk_json_reader *r, const char *s, size_t n);

/* Read the next value. Object/array: the reader enters it (t->type tells
 * which); follow with dlk_json_key / dlk_json_elem or dlk_json_skip. */
int dlk_json_next(dlk_json_reader *r, dlk_json_tok *t);

/* In an object: read the next key into *key (a string token) and the ':'
 * after it, so dlk_json_next reads its value; *done = true (key untouched)
 * at the closing '}', which leaves the object. */
int dlk_json_key(dlk_json_reader *r, dlk_json_tok *key, bool *done);

/* In an array: step to the next element (dlk_json_next reads it); *done =
 * true at the closing ']', which leaves the array. */
int dlk_json_elem(dlk_json_reader *r, bool *done);

/* Skip (validating) the rest of the object or array the reader is in,
 * leaving it. */
int dlk_json_skip(dlk_json_reader *r);

/* Skip the value t just read by dlk_json_next (a no-op for scalars). */
int dlk_json_skip_value(dlk_json_reader *r, const dlk_json_tok *t);

/* After the top-level value: only whitespace may follow. */
int dlk_json_finish(dlk_json_reader *r);

/* The first error: message (NUL-terminated, in the reader) and the 1-based
 * line and column of the byte where it was found. "" when none. */
const char *dlk_json_error(const dlk_json_reader *r, int *line, int *column);

/* Key/string token equal to the NUL-terminated s (escapes decoded). */
bool dlk_json_str_eq(const dlk_json_tok *t, const char *s);

/* Unescaped bytes of a string token appended to out (no NUL added beyond
 * dlk_buf's own). Valid tokens always decode; DLK_NO_MEMORY only. */
int dlk_json_str_append(const dlk_json_tok *t, dlk_buf *out);

/* Unescaped bytes of a string token written to dst, which has room for
 * t->n + 1 bytes (decoding never grows the text); a NUL follows them.
 * Returns the decoded length. */
size_t dlk_json_str_copy(const dlk_json_tok *t, char *dst);

/* Results of dlk_json_i64. */
enum { DLK_JSON_INT_OK = 0, DLK_JSON_INT_FRACTION = 1, DLK_JSON_INT_RANGE = 2 };

/* A number token as an exact int64: DLK_JSON_INT_OK, DLK_JSON_INT_RANGE
 * for an integer beyond 64 bits, or DLK_JSON_INT_FRACTION when it has a
 * fraction or exponent (even "1.0"). */
int dlk_json_i64(const dlk_json_tok *t, int64_t *out);

/* A number token as the nearest double (correctly rounded: strtod). */
double dlk_json_f64(const dlk_json_tok *t);

/* Use the bytewise string scanner (true) or the best one for this CPU
 * (false). For tests and benchmarks; process-wide. */
void dlk_json_force_scalar(bool on);
/* Name of the string scanner in use: "avx2", "sse2" or "scalar". */
const char *dlk_json_scanner(void);

#endif
