/*
 * core/dv.c - deletion vectors: locate, read, check (magic, size, CRC,
 * cardinality) and query RoaringTreemap bitmaps with CRoaring.
 */
#include "core/dv.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/str.h"
#include <roaring/roaring.h>
#include <string.h>

#define DV_MAGIC 1681511377u
#define DV_MAGIC_NATIVE 1681511376u
#define DV_MAX_BUCKETS (1u << 20)

struct dlk_dv_bitmap {
    uint32_t *keys;
    roaring_bitmap_t **maps;
    size_t n;
    uint64_t card;
};

void dlk_dv_free(dlk_dv_bitmap *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++)
        roaring_bitmap_free(b->maps[i]);
    dlk_free(b->keys);
    dlk_free(b->maps);
    dlk_free(b);
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Delta's "native" RoaringBitmapArray layout (magic 1681511376, big endian):
 * count of bitmaps (u32), then per bitmap its byte size (u32) and a 32-bit
 * portable RoaringBitmap; bitmap i holds the rows whose high 32 bits are i. */
static int parse_native(const uint8_t *p, size_t n, dlk_dv_bitmap **out)
{
    uint32_t nb = be32(p + 4);
    if (nb > DV_MAX_BUCKETS || nb > n)
        return dlk_err_set(DLK_CORRUPT, "deletion vector: offset 4: bitmap count %u out of range",
                           nb);
    dlk_dv_bitmap *b = dlk_calloc(1, sizeof *b);
    if (!b) return dlk_err_nomem();
    b->keys = dlk_calloc(nb ? nb : 1, sizeof *b->keys);
    b->maps = dlk_calloc(nb ? nb : 1, sizeof *b->maps);
    if (!b->keys || !b->maps) {
        dlk_dv_free(b);
        return dlk_err_nomem();
    }
    size_t off = 8;
    for (uint32_t i = 0; i < nb; i++) {
        if (n - off < 4) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT, "deletion vector: offset %zu: truncated bitmap size",
                               off);
        }
        uint32_t sz = be32(p + off);
        off += 4;
        if (sz > n - off) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT,
                               "deletion vector: offset %zu: bitmap of %u bytes overruns", off, sz);
        }
        roaring_bitmap_t *r = roaring_bitmap_portable_deserialize_safe((const char *)p + off, sz);
        if (!r) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT, "deletion vector: offset %zu: invalid RoaringBitmap",
                               off);
        }
        b->keys[b->n] = i;
        b->maps[b->n++] = r;
        b->card += roaring_bitmap_get_cardinality(r);
        off += sz;
    }
    *out = b;
    return DLK_OK;
}

int dlk_dv_parse(const uint8_t *p, size_t n, dlk_dv_bitmap **out)
{
    *out = NULL;
    if (n < 12) return dlk_err_set(DLK_CORRUPT, "deletion vector: %zu bytes is too short", n);
    if (be32(p) == DV_MAGIC_NATIVE) return parse_native(p, n, out);
    if (le32(p) != DV_MAGIC)
        return dlk_err_set(DLK_CORRUPT, "deletion vector: offset 0: bad magic %u (want %u)",
                           le32(p), DV_MAGIC);
    uint64_t nb = (uint64_t)le32(p + 4) | (uint64_t)le32(p + 8) << 32;
    if (nb > DV_MAX_BUCKETS || nb > n)
        return dlk_err_set(DLK_CORRUPT, "deletion vector: offset 4: bucket count %llu out of range",
                           (unsigned long long)nb);
    dlk_dv_bitmap *b = dlk_calloc(1, sizeof *b);
    if (!b) return dlk_err_nomem();
    b->keys = dlk_calloc(nb ? nb : 1, sizeof *b->keys);
    b->maps = dlk_calloc(nb ? nb : 1, sizeof *b->maps);
    if (!b->keys || !b->maps) {
        dlk_dv_free(b);
        return dlk_err_nomem();
    }
    size_t off = 12;
    for (uint64_t i = 0; i < nb; i++) {
        if (n - off < 4) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT, "deletion vector: offset %zu: truncated bucket key",
                               off);
        }
        uint32_t key = le32(p + off);
        off += 4;
        if (i && key <= b->keys[i - 1]) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT,
                               "deletion vector: offset %zu: bucket keys not ascending", off - 4);
        }
        roaring_bitmap_t *r =
            roaring_bitmap_portable_deserialize_safe((const char *)p + off, n - off);
        if (!r) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT, "deletion vector: offset %zu: invalid RoaringBitmap",
                               off);
        }
        size_t used = roaring_bitmap_portable_size_in_bytes(r);
        b->keys[i] = key;
        b->maps[i] = r;
        b->n++;
        b->card += roaring_bitmap_get_cardinality(r);
        off += used;
        if (off > n) {
            dlk_dv_free(b);
            return dlk_err_set(DLK_CORRUPT, "deletion vector: bitmap overruns its %zu bytes", n);
        }
    }
    *out = b;
    return DLK_OK;
}

bool dlk_dv_contains(const dlk_dv_bitmap *b, uint64_t row)
{
    uint32_t hi = (uint32_t)(row >> 32);
    size_t lo = 0, up = b->n;
    while (lo < up) {
        size_t mid = (lo + up) / 2;
        if (b->keys[mid] == hi) return roaring_bitmap_contains(b->maps[mid], (uint32_t)row);
        if (b->keys[mid] < hi)
            lo = mid + 1;
        else
            up = mid;
    }
    return false;
}

uint64_t dlk_dv_cardinality(const dlk_dv_bitmap *b)
{
    return b->card;
}

int dlk_dv_file_key(const dlk_dv *dv, char **out)
{
    *out = NULL;
    const char *p = dv->path_or_inline;
    if (dv->storage_type == 'p') {
        const char *q = p;
        if (dlk_str_starts_with(q, "file://"))
            q += 7;
        else if (dlk_str_starts_with(q, "file:"))
            q += 5;
        return dlk_url_decode(q, strlen(q), out);
    }
    if (dv->storage_type != 'u')
        return dlk_err_set(DLK_INVALID_ARGUMENT, "deletion vector: storage type %c has no file",
                           dv->storage_type);
    size_t n = strlen(p);
    if (n < 20)
        return dlk_err_set(DLK_CORRUPT, "deletion vector: pathOrInlineDv '%s' too short for a UUID",
                           p);
    uint8_t u[16];
    size_t ul = 0;
    int rc = dlk_z85_decode(p + n - 20, 20, u, sizeof u, &ul);
    if (rc || ul != 16)
        return dlk_err_set(DLK_CORRUPT, "deletion vector: '%s' does not end in a Z85 UUID", p);
    char uuid[37];
    dlk_uuid_format(u, uuid);
    dlk_buf b = {0};
    if (n > 20)
        rc = dlk_buf_printf(&b, "%.*s/deletion_vector_%s.bin", (int)(n - 20), p, uuid);
    else
        rc = dlk_buf_printf(&b, "deletion_vector_%s.bin", uuid);
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b);
    return *out ? DLK_OK : dlk_err_nomem();
}

int dlk_dv_load(dlk_storage *s, const dlk_dv *dv, dlk_dv_bitmap **out)
{
    *out = NULL;
    int rc;
    if (dv->storage_type == 'i') {
        const char *p = dv->path_or_inline;
        size_t n = strlen(p);
        size_t cap = n / 5 * 4 + 4;
        uint8_t *raw = dlk_malloc(cap);
        if (!raw) return dlk_err_nomem();
        size_t rl = 0;
        rc = dlk_z85_decode(p, n - n % 5, raw, cap, &rl);
        if (rc) {
            dlk_free(raw);
            return dlk_err_context(rc, "inline deletion vector");
        }
        if (dv->size_in_bytes > 0 && (size_t)dv->size_in_bytes <= rl)
            rl = (size_t)dv->size_in_bytes;
        rc = dlk_dv_parse(raw, rl, out);
        dlk_free(raw);
        if (rc) return dlk_err_context(rc, "inline deletion vector");
    } else {
        char *key = NULL;
        if ((rc = dlk_dv_file_key(dv, &key))) return rc;
        /* the Delta protocol: offset is where this DV's dataSize field starts;
         * "interpret as 0 if absent". A file written with its format version
         * byte first and the DV right after it (offset 1) is also accepted
         * when the offset is absent: the stored size tells which one it is. */
        int64_t off = dv->has_offset ? dv->offset : 0;
        int64_t size = dv->size_in_bytes;
        uint8_t *data = NULL;
        size_t n = 0;
        rc = dlk_storage_get_range(s, key, off, size + 8 + (dv->has_offset ? 0 : 1), &data, &n);
        if (!rc && !dv->has_offset && n >= 5 && be32(data) != (uint32_t)size && data[0] == 1 &&
            be32(data + 1) == (uint32_t)size) {
            off = 1;
            memmove(data, data + 1, n - 1);
            n--;
        }
        if (!rc && (n < 8 || n < (size_t)size + 8))
            rc = dlk_err_set(DLK_CORRUPT, "%s: offset %lld: deletion vector truncated", key,
                             (long long)off);
        if (!rc && be32(data) != (uint32_t)size)
            rc = dlk_err_set(DLK_CORRUPT, "%s: offset %lld: stored size %u != sizeInBytes %lld",
                             key, (long long)off, be32(data), (long long)size);
        if (!rc) {
            uint32_t crc = dlk_crc32(0, data + 4, (size_t)size);
            if (crc != be32(data + 4 + size))
                rc = dlk_err_set(DLK_CORRUPT, "%s: offset %lld: deletion vector CRC mismatch", key,
                                 (long long)off);
        }
        if (!rc && (rc = dlk_dv_parse(data + 4, (size_t)size, out)))
            rc = dlk_err_context(rc, "%s: offset %lld", key, (long long)off);
        dlk_storage_bytes_free(data);
        dlk_free(key);
        if (rc) return rc;
    }
    if (dv->cardinality >= 0 && dlk_dv_cardinality(*out) != (uint64_t)dv->cardinality) {
        rc = dlk_err_set(DLK_CORRUPT, "deletion vector: %llu rows set but cardinality says %lld",
                         (unsigned long long)dlk_dv_cardinality(*out), (long long)dv->cardinality);
        dlk_dv_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- writing ---- */

int dlk_dv_new(dlk_dv_bitmap **out)
{
    *out = dlk_calloc(1, sizeof **out);
    return *out ? DLK_OK : dlk_err_nomem();
}

/* Bucket of high bits hi, created (kept sorted) when missing; NULL on OOM. */
static roaring_bitmap_t *bucket_for(dlk_dv_bitmap *b, uint32_t hi)
{
    size_t lo = 0, up = b->n;
    while (lo < up) {
        size_t mid = (lo + up) / 2;
        if (b->keys[mid] == hi) return b->maps[mid];
        if (b->keys[mid] < hi)
            lo = mid + 1;
        else
            up = mid;
    }
    uint32_t *nk = dlk_realloc(b->keys, (b->n + 1) * sizeof *nk);
    if (!nk) return NULL;
    b->keys = nk;
    roaring_bitmap_t **nm = dlk_realloc(b->maps, (b->n + 1) * sizeof *nm);
    if (!nm) return NULL;
    b->maps = nm;
    roaring_bitmap_t *r = roaring_bitmap_create();
    if (!r) return NULL;
    memmove(b->keys + lo + 1, b->keys + lo, (b->n - lo) * sizeof *b->keys);
    memmove(b->maps + lo + 1, b->maps + lo, (b->n - lo) * sizeof *b->maps);
    b->keys[lo] = hi;
    b->maps[lo] = r;
    b->n++;
    return r;
}

static void recount(dlk_dv_bitmap *b)
{
    b->card = 0;
    for (size_t i = 0; i < b->n; i++)
        b->card += roaring_bitmap_get_cardinality(b->maps[i]);
}

int dlk_dv_add(dlk_dv_bitmap *b, const uint64_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        roaring_bitmap_t *r = bucket_for(b, (uint32_t)(rows[i] >> 32));
        if (!r) return dlk_err_nomem();
        roaring_bitmap_add(r, (uint32_t)rows[i]);
    }
    recount(b);
    return DLK_OK;
}

int dlk_dv_union(dlk_dv_bitmap *dst, const dlk_dv_bitmap *src)
{
    for (size_t i = 0; i < src->n; i++) {
        roaring_bitmap_t *r = bucket_for(dst, src->keys[i]);
        if (!r) return dlk_err_nomem();
        roaring_bitmap_or_inplace(r, src->maps[i]);
    }
    recount(dst);
    return DLK_OK;
}

uint64_t dlk_dv_max(const dlk_dv_bitmap *b)
{
    for (size_t i = b->n; i-- > 0;)
        if (!roaring_bitmap_is_empty(b->maps[i]))
            return (uint64_t)b->keys[i] << 32 | roaring_bitmap_maximum(b->maps[i]);
    return 0;
}

static int put_le32(dlk_buf *out, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return dlk_buf_append(out, p, 4);
}

int dlk_dv_serialize(const dlk_dv_bitmap *b, dlk_buf *out)
{
    size_t used = 0;
    for (size_t i = 0; i < b->n; i++)
        if (!roaring_bitmap_is_empty(b->maps[i])) used++;
    int rc = put_le32(out, DV_MAGIC);
    if (!rc) rc = put_le32(out, (uint32_t)used);
    if (!rc) rc = put_le32(out, (uint32_t)((uint64_t)used >> 32));
    for (size_t i = 0; i < b->n && !rc; i++) {
        if (roaring_bitmap_is_empty(b->maps[i])) continue;
        roaring_bitmap_run_optimize(b->maps[i]);
        size_t sz = roaring_bitmap_portable_size_in_bytes(b->maps[i]);
        if ((rc = put_le32(out, b->keys[i])) || (rc = dlk_buf_reserve(out, sz + 1))) break;
        size_t w = roaring_bitmap_portable_serialize(b->maps[i], (char *)out->data + out->len);
        if (w != sz)
            rc = dlk_err_set(DLK_ERROR, "deletion vector: serialized %zu of %zu bytes", w, sz);
        else
            out->len += w;
    }
    return rc;
}
