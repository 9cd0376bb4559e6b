/* util/misc.c - UUID, base64, Z85 and CRC-32 (see util/misc.h). */
#include "util/misc.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>
#include <zlib.h>

void dlk_uuid_bytes(uint8_t out[16]) { uuid_generate_random(out); }

void dlk_uuid_format(const uint8_t in[16], char out[37]) { uuid_unparse_lower(in, out); }

void dlk_uuid_string(char out[37])
{
    uint8_t u[16];
    dlk_uuid_bytes(u);
    dlk_uuid_format(u, out);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int dlk_base64_encode(const uint8_t *p, size_t n, char **out, size_t *out_len)
{
    size_t len = (n + 2) / 3 * 4;
    char *r = dlk_malloc(len + 1);
    if (!r) return dlk_err_nomem();
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        r[k++] = B64[v >> 18 & 63];
        r[k++] = B64[v >> 12 & 63];
        r[k++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        r[k++] = i + 2 < n ? B64[v & 63] : '=';
    }
    r[k] = 0;
    *out = r;
    if (out_len) *out_len = k;
    return DLK_OK;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

int dlk_base64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len)
{
    while (n && s[n - 1] == '=') n--;
    if (n % 4 == 1) return dlk_err_set(DLK_PARSE, "invalid base64: bad length %zu", n);
    uint8_t *r = dlk_malloc(n / 4 * 3 + 3);
    if (!r) return dlk_err_nomem();
    size_t k = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0) {
            dlk_free(r);
            return dlk_err_set(DLK_PARSE, "invalid base64 character at offset %zu", i);
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            r[k++] = (uint8_t)(acc >> bits);
        }
    }
    *out = r;
    *out_len = k;
    return DLK_OK;
}

static const char Z85[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int dlk_z85_decode(const char *s, size_t n, uint8_t *out, size_t out_cap, size_t *out_len)
{
    static int8_t table[256];
    static int init;
    if (!init) {
        memset(table, -1, sizeof table);
        for (int i = 0; i < 85; i++) table[(unsigned char)Z85[i]] = (int8_t)i;
        init = 1;
    }
    if (n % 5) return dlk_err_set(DLK_PARSE, "invalid Z85: length %zu is not a multiple of 5", n);
    if (n / 5 * 4 > out_cap) return dlk_err_set(DLK_PARSE, "Z85 text too long (%zu)", n);
    size_t k = 0;
    for (size_t i = 0; i < n; i += 5) {
        uint64_t v = 0;
        for (int j = 0; j < 5; j++) {
            int d = table[(unsigned char)s[i + j]];
            if (d < 0) return dlk_err_set(DLK_PARSE, "invalid Z85 character at offset %zu", i + j);
            v = v * 85 + (uint64_t)d;
        }
        if (v > 0xffffffffULL) return dlk_err_set(DLK_PARSE, "invalid Z85 group at offset %zu", i);
        out[k++] = (uint8_t)(v >> 24);
        out[k++] = (uint8_t)(v >> 16);
        out[k++] = (uint8_t)(v >> 8);
        out[k++] = (uint8_t)v;
    }
    *out_len = k;
    return DLK_OK;
}

int dlk_z85_encode(const uint8_t *p, size_t n, char *out, size_t out_cap)
{
    if (n % 4) return dlk_err_set(DLK_INVALID_ARGUMENT, "Z85 input length %zu not a multiple of 4", n);
    if (n / 4 * 5 + 1 > out_cap) return dlk_err_set(DLK_INVALID_ARGUMENT, "Z85 output too small");
    size_t k = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
        char g[5];
        for (int j = 4; j >= 0; j--) {
            g[j] = Z85[v % 85];
            v /= 85;
        }
        memcpy(out + k, g, 5);
        k += 5;
    }
    out[k] = 0;
    return DLK_OK;
}

uint32_t dlk_crc32(uint32_t crc, const void *p, size_t n)
{
    while (n > 0) {
        uInt chunk = n > 0x40000000u ? 0x40000000u : (uInt)n;
        crc = (uint32_t)crc32(crc, p, chunk);
        p = (const uint8_t *)p + chunk;
        n -= chunk;
    }
    return crc;
}
