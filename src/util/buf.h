/*
 * util/buf.h - growable byte buffer and growable array ("vector").
 *
 * dlk_buf holds bytes and keeps a NUL after the last byte whenever it has
 * capacity, so text built in it can be used as a C string via dlk_buf_cstr.
 * dlk_vec holds fixed-size elements. Both start zeroed ({0}) and are freed
 * with their *_free function. Appends return DLK_OK or DLK_NO_MEMORY.
 */
#ifndef DLK_UTIL_BUF_H
#define DLK_UTIL_BUF_H

#include "util/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} dlk_buf;

int dlk_buf_reserve(dlk_buf *b, size_t extra);
int dlk_buf_append(dlk_buf *b, const void *p, size_t n);
int dlk_buf_putc(dlk_buf *b, int c);
int dlk_buf_puts(dlk_buf *b, const char *s);
int dlk_buf_printf(dlk_buf *b, const char *fmt, ...) DLK_PRINTF(2, 3);
/* Append s as a JSON string literal (quotes and escapes included). */
int dlk_buf_json_str(dlk_buf *b, const char *s, size_t n);
const char *dlk_buf_cstr(dlk_buf *b); /* "" when empty */
/* Hand the bytes to the caller (NUL-terminated), leaving b empty. */
char *dlk_buf_detach(dlk_buf *b);
void dlk_buf_reset(dlk_buf *b); /* len = 0, keeps capacity */
void dlk_buf_free(dlk_buf *b);

typedef struct dlk_vec {
    void *data;
    size_t len;
    size_t cap;
    size_t elem;
} dlk_vec;

#define DLK_VEC_INIT(type) {NULL, 0, 0, sizeof(type)}
#define dlk_vec_at(v, type, i) (((type *)(v)->data)[i])

int dlk_vec_push(dlk_vec *v, const void *elem);
int dlk_vec_reserve(dlk_vec *v, size_t extra);
void dlk_vec_free(dlk_vec *v);

#endif
