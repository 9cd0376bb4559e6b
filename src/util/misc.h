/*
 * util/misc.h - small encoders: UUIDs, base64 (RFC 4648), Z85 (ZeroMQ
 * RFC 32, used by Delta deletion-vector ids), CRC-32.
 */
#ifndef DLK_UTIL_MISC_H
#define DLK_UTIL_MISC_H

#include <stddef.h>
#include <stdint.h>

/* Random (v4) UUID as 36 characters + NUL in out[37]. */
void dlk_uuid_string(char out[37]);
void dlk_uuid_bytes(uint8_t out[16]);
/* Format 16 bytes as canonical lower-case text. */
void dlk_uuid_format(const uint8_t in[16], char out[37]);

/* base64: *out is a new NUL-terminated string / byte array owned by caller. */
int dlk_base64_encode(const uint8_t *p, size_t n, char **out, size_t *out_len);
int dlk_base64_decode(const char *s, size_t n, uint8_t **out, size_t *out_len);

/* Z85: n must be a multiple of 5 (decode) / 4 (encode). */
int dlk_z85_decode(const char *s, size_t n, uint8_t *out, size_t out_cap, size_t *out_len);
int dlk_z85_encode(const uint8_t *p, size_t n, char *out, size_t out_cap);

uint32_t dlk_crc32(uint32_t crc, const void *p, size_t n);

#endif
