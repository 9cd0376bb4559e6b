/* util/buf.c - growable byte buffer and vector (see util/buf.h). */
#include "util/buf.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int dlk_buf_reserve(dlk_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1) return dlk_err_nomem();
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return DLK_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = dlk_realloc(b->data, cap);
    if (!p) return dlk_err_nomem();
    b->data = p;
    b->cap = cap;
    return DLK_OK;
}

int dlk_buf_append(dlk_buf *b, const void *p, size_t n)
{
    if (dlk_buf_reserve(b, n)) return DLK_NO_MEMORY;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return DLK_OK;
}

int dlk_buf_putc(dlk_buf *b, int c)
{
    uint8_t ch = (uint8_t)c;
    return dlk_buf_append(b, &ch, 1);
}

int dlk_buf_puts(dlk_buf *b, const char *s) { return dlk_buf_append(b, s, strlen(s)); }

int dlk_buf_printf(dlk_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || dlk_buf_reserve(b, (size_t)n)) {
        va_end(ap2);
        return dlk_err_nomem();
    }
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return DLK_OK;
}

int dlk_buf_json_str(dlk_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (dlk_buf_reserve(b, n + 2)) return DLK_NO_MEMORY;
    b->data[b->len++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc = 0;
        switch (c) {
        case '"': esc = '"'; break;
        case '\\': esc = '\\'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        case '\t': esc = 't'; break;
        case '\b': esc = 'b'; break;
        case '\f': esc = 'f'; break;
        default: break;
        }
        if (esc) {
            char e[2] = {'\\', esc};
            if (dlk_buf_append(b, e, 2)) return DLK_NO_MEMORY;
        } else if (c < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            if (dlk_buf_append(b, e, 6)) return DLK_NO_MEMORY;
        } else {
            if (dlk_buf_append(b, &s[i], 1)) return DLK_NO_MEMORY;
        }
    }
    return dlk_buf_putc(b, '"');
}

const char *dlk_buf_cstr(dlk_buf *b) { return b->data ? (const char *)b->data : ""; }

char *dlk_buf_detach(dlk_buf *b)
{
    if (!b->data && dlk_buf_reserve(b, 0)) return NULL;
    b->data[b->len] = 0;
    char *p = (char *)b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void dlk_buf_reset(dlk_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

void dlk_buf_free(dlk_buf *b)
{
    dlk_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int dlk_vec_reserve(dlk_vec *v, size_t extra)
{
    if (v->len + extra <= v->cap) return DLK_OK;
    size_t cap = v->cap ? v->cap * 2 : 8;
    while (cap < v->len + extra) cap *= 2;
    if (cap > SIZE_MAX / v->elem) return dlk_err_nomem();
    void *p = dlk_realloc(v->data, cap * v->elem);
    if (!p) return dlk_err_nomem();
    v->data = p;
    v->cap = cap;
    return DLK_OK;
}

int dlk_vec_push(dlk_vec *v, const void *elem)
{
    if (dlk_vec_reserve(v, 1)) return DLK_NO_MEMORY;
    memcpy((char *)v->data + v->len * v->elem, elem, v->elem);
    v->len++;
    return DLK_OK;
}

void dlk_vec_free(dlk_vec *v)
{
    dlk_free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}
