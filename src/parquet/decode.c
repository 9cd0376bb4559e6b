/*
 * parquet/decode.c - Parquet encodings: PLAIN, RLE/bit-packed hybrid,
 * dictionary indices, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
 * DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT. Bounds-checked throughout.
 */
#include "parquet/decode.h"
#include "parquet/meta.h"
#include "util/alloc.h"
#include "util/error.h"
#include <stdbool.h>

#include <string.h>

#define CORRUPT(...) dlk_err_set(DLK_CORRUPT, __VA_ARGS__)

void dlk_pq__values_init(dlk_pq_values *v, int ptype, int width)
{
    memset(v, 0, sizeof *v);
    v->ptype = ptype;
    v->width = width;
}

void dlk_pq__values_free(dlk_pq_values *v)
{
    dlk_buf_free(&v->data);
    dlk_buf_free(&v->offs);
    v->n = 0;
}

static int ensure_offs(dlk_pq_values *v)
{
    if (v->offs.len == 0) {
        uint32_t z = 0;
        return dlk_buf_append(&v->offs, &z, 4);
    }
    return DLK_OK;
}

int dlk_pq__values_push_ba(dlk_pq_values *v, const uint8_t *p, size_t n)
{
    int rc = ensure_offs(v);
    if (rc) return rc;
    if (v->data.len + n > 0x7fffffffu)
        return dlk_err_set(DLK_UNSUPPORTED, "byte array data of a column chunk beyond 2 GiB");
    if (n && (rc = dlk_buf_append(&v->data, p, n))) return rc;
    uint32_t o = (uint32_t)v->data.len;
    if ((rc = dlk_buf_append(&v->offs, &o, 4))) return rc;
    v->n++;
    return DLK_OK;
}

int dlk_pq__decode_plain(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n, size_t *used)
{
    int rc;
    *used = 0;
    if (n < 0) return CORRUPT("negative value count");
    if (out->ptype == DLK_PQ_BOOLEAN) {
        if ((uint64_t)n > (uint64_t)len * 8) return CORRUPT("PLAIN booleans: %lld values need more than %zu bytes", (long long)n, len);
        if ((rc = dlk_buf_reserve(&out->data, (size_t)n))) return rc;
        uint8_t *d = out->data.data + out->data.len;
        for (int64_t i = 0; i < n; i++) d[i] = (src[i >> 3] >> (i & 7)) & 1;
        out->data.len += (size_t)n;
        out->n += n;
        *used = (size_t)((n + 7) / 8);
        return DLK_OK;
    }
    if (out->ptype == DLK_PQ_BYTE_ARRAY) {
        size_t pos = 0;
        if ((rc = ensure_offs(out))) return rc;
        if ((uint64_t)n > len / 4 + 1 && n > 0 && (uint64_t)n * 4 > len)
            return CORRUPT("PLAIN byte arrays: %lld values in %zu bytes", (long long)n, len);
        if ((rc = dlk_buf_reserve(&out->offs, (size_t)n * 4))) return rc;
        for (int64_t i = 0; i < n; i++) {
            if (len - pos < 4) return CORRUPT("PLAIN byte array %lld: length beyond page end", (long long)i);
            uint32_t l;
            memcpy(&l, src + pos, 4);
            pos += 4;
            if (l > len - pos) return CORRUPT("PLAIN byte array %lld: %u bytes beyond page end", (long long)i, l);
            if ((rc = dlk_pq__values_push_ba(out, src + pos, l))) return rc;
            pos += l;
        }
        *used = pos;
        return DLK_OK;
    }
    size_t w = (size_t)out->width;
    if (w == 0) {
        /* zero-width FIXED_LEN_BYTE_ARRAY */
        out->n += n;
        return DLK_OK;
    }
    if ((uint64_t)n > len / w) return CORRUPT("PLAIN: %lld values of %zu bytes beyond page end (%zu bytes)", (long long)n, w, len);
    if ((rc = dlk_buf_append(&out->data, src, (size_t)n * w))) return rc;
    out->n += n;
    *used = (size_t)n * w;
    return DLK_OK;
}

/* Little-endian bit reader (LSB first). */
static inline uint64_t get_bits(const uint8_t *src, size_t bitpos, int bw)
{
    uint64_t v = 0;
    size_t byte = bitpos >> 3;
    int shift = (int)(bitpos & 7);
    int need = bw + shift;
    int nbytes = (need + 7) / 8;
    unsigned __int128 acc = 0;
    for (int i = 0; i < nbytes; i++) acc |= (unsigned __int128)src[byte + i] << (8 * i);
    v = (uint64_t)(acc >> shift);
    if (bw < 64) v &= ((uint64_t)1 << bw) - 1;
    return v;
}

static int read_uvarint(const uint8_t *src, size_t len, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (int s = 0; s < 64; s += 7) {
        if (*pos >= len) return CORRUPT("varint beyond end of data");
        uint8_t b = src[(*pos)++];
        r |= (uint64_t)(b & 0x7f) << s;
        if (!(b & 0x80)) {
            *v = r;
            return DLK_OK;
        }
    }
    return CORRUPT("varint too long");
}

int dlk_pq__decode_rle(const uint8_t *src, size_t len, int bw, int64_t n, uint32_t *out)
{
    if (bw < 0 || bw > 32) return CORRUPT("RLE bit width %d", bw);
    size_t pos = 0;
    int64_t i = 0;
    if (bw == 0) {
        memset(out, 0, (size_t)n * sizeof *out);
        return DLK_OK;
    }
    size_t vbytes = (size_t)(bw + 7) / 8;
    while (i < n) {
        uint64_t h = 0;
        int rc = read_uvarint(src, len, &pos, &h);
        if (rc) return dlk_err_context(rc, "RLE run header at byte %zu of %zu (value %lld of %lld)", pos, len, (long long)i, (long long)n);
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups == 0 || groups > (len - pos) / (size_t)bw + 1)
                return CORRUPT("RLE bit-packed run of %llu groups beyond end (byte %zu)", (unsigned long long)groups, pos);
            uint64_t cnt = groups * 8;
            size_t bytes = (size_t)groups * (size_t)bw;
            size_t avail = len - pos;
            /* the last group may be truncated when it holds padding only */
            uint64_t take = cnt;
            if ((uint64_t)(n - i) < take) take = (uint64_t)(n - i);
            if ((take * (uint64_t)bw + 7) / 8 > avail)
                return CORRUPT("RLE bit-packed run beyond end of data (byte %zu)", pos);
            const uint8_t *p = src + pos;
            size_t availbits = avail * 8;
            for (uint64_t k = 0; k < take; k++) {
                size_t bp = (size_t)k * (size_t)bw;
                /* get_bits reads whole bytes; stay inside avail */
                if (bp + (size_t)bw > availbits) return CORRUPT("RLE bit-packed run beyond end");
                size_t lastbyte = (bp + (size_t)bw + 7) / 8;
                (void)lastbyte;
                out[i++] = (uint32_t)get_bits(p, bp, bw);
            }
            pos += bytes < avail ? bytes : avail;
        } else {
            uint64_t run = h >> 1;
            if (len - pos < vbytes) return CORRUPT("RLE run value beyond end of data (byte %zu)", pos);
            uint32_t v = 0;
            for (size_t k = 0; k < vbytes; k++) v |= (uint32_t)src[pos + k] << (8 * k);
            pos += vbytes;
            if (bw < 32 && v >> bw) return CORRUPT("RLE run value %u wider than %d bits", v, bw);
            if (run == 0) return CORRUPT("RLE run of length 0 at byte %zu", pos);
            uint64_t take = run;
            if ((uint64_t)(n - i) < take) take = (uint64_t)(n - i);
            for (uint64_t k = 0; k < take; k++) out[i++] = v;
        }
    }
    return DLK_OK;
}

int dlk_pq__decode_bitpacked_msb(const uint8_t *src, size_t len, int bw, int64_t n, uint32_t *out)
{
    if (bw < 0 || bw > 32) return CORRUPT("BIT_PACKED bit width %d", bw);
    if ((uint64_t)n * (uint64_t)bw > (uint64_t)len * 8) return CORRUPT("BIT_PACKED levels beyond end of data");
    size_t bit = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (int k = 0; k < bw; k++, bit++) v = (v << 1) | ((src[bit >> 3] >> (7 - (bit & 7))) & 1);
        out[i] = v;
    }
    return DLK_OK;
}

int dlk_pq__decode_dict(dlk_pq_values *out, const dlk_pq_values *dict, const uint8_t *src,
                        size_t len, int64_t n)
{
    if (n == 0) return DLK_OK;
    if (len < 1) return CORRUPT("dictionary indices: empty data");
    int bw = src[0];
    if (bw > 32) return CORRUPT("dictionary index bit width %d", bw);
    uint32_t *idx = dlk_malloc((size_t)n * sizeof *idx);
    if (!idx) return dlk_err_nomem();
    int rc = dlk_pq__decode_rle(src + 1, len - 1, bw, n, idx);
    if (rc) goto done;
    if (out->ptype == DLK_PQ_BYTE_ARRAY) {
        const uint32_t *o = dlk_pq__values_offs(dict);
        for (int64_t i = 0; i < n; i++) {
            if ((int64_t)idx[i] >= dict->n) {
                rc = CORRUPT("dictionary index %u out of range (dictionary of %lld)", idx[i], (long long)dict->n);
                goto done;
            }
            if ((rc = dlk_pq__values_push_ba(out, dict->data.data + o[idx[i]], o[idx[i] + 1] - o[idx[i]]))) goto done;
        }
    } else {
        size_t w = (size_t)out->width;
        if ((rc = dlk_buf_reserve(&out->data, (size_t)n * w))) goto done;
        uint8_t *d = out->data.data + out->data.len;
        for (int64_t i = 0; i < n; i++) {
            if ((int64_t)idx[i] >= dict->n) {
                rc = CORRUPT("dictionary index %u out of range (dictionary of %lld)", idx[i], (long long)dict->n);
                goto done;
            }
            memcpy(d + (size_t)i * w, dict->data.data + (size_t)idx[i] * w, w);
        }
        out->data.len += (size_t)n * w;
        out->n += n;
    }
done:
    dlk_free(idx);
    return rc;
}

int dlk_pq__decode_delta_bp(dlk_pq_values *out, int64_t *out64, const uint8_t *src, size_t len,
                            int64_t n, size_t *used)
{
    size_t pos = 0;
    uint64_t block = 0, nmb = 0, total = 0, zz = 0;
    int rc;
    if ((rc = read_uvarint(src, len, &pos, &block)) || (rc = read_uvarint(src, len, &pos, &nmb)) ||
        (rc = read_uvarint(src, len, &pos, &total)) || (rc = read_uvarint(src, len, &pos, &zz)))
        return dlk_err_context(rc, "DELTA_BINARY_PACKED header");
    if (block == 0 || block % 128 || nmb == 0 || block % nmb || (block / nmb) % 32 || block > (1u << 20))
        return CORRUPT("DELTA_BINARY_PACKED: bad block size %llu / %llu miniblocks", (unsigned long long)block, (unsigned long long)nmb);
    if (total < (uint64_t)n) return CORRUPT("DELTA_BINARY_PACKED: %llu values, %lld expected", (unsigned long long)total, (long long)n);
    uint64_t per_mb = block / nmb;
    bool is32 = out && out->ptype == DLK_PQ_INT32;
    int64_t *tmp = out64;
    if (!tmp) {
        tmp = dlk_malloc((size_t)(n ? n : 1) * sizeof *tmp);
        if (!tmp) return dlk_err_nomem();
    }
    uint64_t cur = (uint64_t)((int64_t)(zz >> 1) ^ -(int64_t)(zz & 1));
    int64_t i = 0;
    if (n > 0) tmp[i++] = (int64_t)cur;
    uint64_t remaining = total ? total - 1 : 0;
    while (remaining > 0) {
        uint64_t mdz = 0;
        if ((rc = read_uvarint(src, len, &pos, &mdz))) goto fail;
        uint64_t min_delta = (uint64_t)((int64_t)(mdz >> 1) ^ -(int64_t)(mdz & 1));
        if (len - pos < nmb) { rc = CORRUPT("DELTA_BINARY_PACKED: bit widths beyond end"); goto fail; }
        const uint8_t *bws = src + pos;
        pos += nmb;
        for (uint64_t m = 0; m < nmb && remaining > 0; m++) {
            int bw = bws[m];
            if (bw > 64) { rc = CORRUPT("DELTA_BINARY_PACKED: bit width %d", bw); goto fail; }
            size_t bytes = (size_t)(per_mb * (uint64_t)bw / 8);
            uint64_t take = per_mb < remaining ? per_mb : remaining;
            size_t need = (size_t)((take * (uint64_t)bw + 7) / 8);
            if (len - pos < need) { rc = CORRUPT("DELTA_BINARY_PACKED: miniblock beyond end"); goto fail; }
            for (uint64_t k = 0; k < take; k++) {
                uint64_t d = bw ? get_bits(src + pos, (size_t)(k * (uint64_t)bw), bw) : 0;
                cur += min_delta + d;
                if (i < n) tmp[i++] = (int64_t)cur;
            }
            remaining -= take;
            pos += bytes < len - pos ? bytes : len - pos;
        }
    }
    if (out) {
        if (is32) {
            if ((rc = dlk_buf_reserve(&out->data, (size_t)n * 4))) goto fail;
            int32_t *d = (int32_t *)(void *)(out->data.data + out->data.len);
            for (int64_t k = 0; k < n; k++) d[k] = (int32_t)(uint32_t)(uint64_t)tmp[k];
            out->data.len += (size_t)n * 4;
        } else {
            if ((rc = dlk_buf_append(&out->data, tmp, (size_t)n * 8))) goto fail;
        }
        out->n += n;
    }
    *used = pos;
    rc = DLK_OK;
fail:
    if (tmp != out64) dlk_free(tmp);
    return rc;
}

/* Count the values a DELTA_BINARY_PACKED stream declares (its header). */
static int delta_count(const uint8_t *src, size_t len, uint64_t *total)
{
    size_t pos = 0;
    uint64_t a, b;
    int rc;
    if ((rc = read_uvarint(src, len, &pos, &a)) || (rc = read_uvarint(src, len, &pos, &b)) ||
        (rc = read_uvarint(src, len, &pos, total)))
        return rc;
    return DLK_OK;
}

int dlk_pq__decode_delta_length_ba(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n)
{
    uint64_t total = 0;
    int rc = delta_count(src, len, &total);
    if (rc) return rc;
    if (total < (uint64_t)n || total > len * 8 + 1) return CORRUPT("DELTA_LENGTH_BYTE_ARRAY: bad count %llu", (unsigned long long)total);
    int64_t *lens = dlk_malloc((size_t)(total ? total : 1) * sizeof *lens);
    if (!lens) return dlk_err_nomem();
    size_t used;
    rc = dlk_pq__decode_delta_bp(NULL, lens, src, len, (int64_t)total, &used);
    size_t pos = used;
    for (int64_t i = 0; !rc && i < n; i++) {
        if (lens[i] < 0 || (uint64_t)lens[i] > len - pos) {
            rc = CORRUPT("DELTA_LENGTH_BYTE_ARRAY: value %lld length %lld beyond end", (long long)i, (long long)lens[i]);
            break;
        }
        rc = dlk_pq__values_push_ba(out, src + pos, (size_t)lens[i]);
        pos += (size_t)lens[i];
    }
    dlk_free(lens);
    return rc;
}

int dlk_pq__decode_delta_ba(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n)
{
    uint64_t total = 0;
    int rc = delta_count(src, len, &total);
    if (rc) return rc;
    if (total < (uint64_t)n || total > len * 8 + 1) return CORRUPT("DELTA_BYTE_ARRAY: bad count %llu", (unsigned long long)total);
    size_t cnt = (size_t)(total ? total : 1);
    int64_t *pre = dlk_malloc(cnt * sizeof *pre);
    int64_t *suf = dlk_malloc(cnt * sizeof *suf);
    dlk_buf prev = {0};
    if (!pre || !suf) {
        rc = dlk_err_nomem();
        goto done;
    }
    size_t used, pos;
    if ((rc = dlk_pq__decode_delta_bp(NULL, pre, src, len, (int64_t)total, &used))) goto done;
    pos = used;
    if ((rc = delta_count(src + pos, len - pos, &total)) ) goto done;
    if (total < (uint64_t)n) { rc = CORRUPT("DELTA_BYTE_ARRAY: suffix count %llu", (unsigned long long)total); goto done; }
    if ((rc = dlk_pq__decode_delta_bp(NULL, suf, src + pos, len - pos, n, &used))) goto done;
    pos += used;
    for (int64_t i = 0; i < n; i++) {
        if (pre[i] < 0 || (uint64_t)pre[i] > prev.len || suf[i] < 0 || (uint64_t)suf[i] > len - pos) {
            rc = CORRUPT("DELTA_BYTE_ARRAY: value %lld prefix %lld / suffix %lld out of range", (long long)i, (long long)pre[i], (long long)suf[i]);
            goto done;
        }
        prev.len = (size_t)pre[i];
        if ((rc = dlk_buf_append(&prev, src + pos, (size_t)suf[i]))) goto done;
        pos += (size_t)suf[i];
        if (out->ptype == DLK_PQ_BYTE_ARRAY) {
            if ((rc = dlk_pq__values_push_ba(out, prev.data, prev.len))) goto done;
        } else {
            if (prev.len != (size_t)out->width) { rc = CORRUPT("DELTA_BYTE_ARRAY: fixed value of %zu bytes", prev.len); goto done; }
            if ((rc = dlk_buf_append(&out->data, prev.data, prev.len))) goto done;
            out->n++;
        }
    }
done:
    dlk_free(pre);
    dlk_free(suf);
    dlk_buf_free(&prev);
    return rc;
}

int dlk_pq__decode_byte_stream_split(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n)
{
    size_t w = (size_t)out->width;
    if (w == 0 || out->ptype == DLK_PQ_BYTE_ARRAY || out->ptype == DLK_PQ_BOOLEAN)
        return CORRUPT("BYTE_STREAM_SPLIT on an unsupported type");
    if ((uint64_t)n > len / w) return CORRUPT("BYTE_STREAM_SPLIT: %lld values beyond end", (long long)n);
    size_t stride = len / w; /* streams are len / w bytes long */
    int rc = dlk_buf_reserve(&out->data, (size_t)n * w);
    if (rc) return rc;
    uint8_t *d = out->data.data + out->data.len;
    for (int64_t i = 0; i < n; i++)
        for (size_t b = 0; b < w; b++) d[(size_t)i * w + b] = src[b * stride + (size_t)i];
    out->data.len += (size_t)n * w;
    out->n += n;
    return DLK_OK;
}

int dlk_pq__decode_rle_bool(dlk_pq_values *out, const uint8_t *src, size_t len, int64_t n)
{
    if (len < 4) return CORRUPT("RLE booleans: missing length");
    uint32_t l;
    memcpy(&l, src, 4);
    if (l > len - 4) return CORRUPT("RLE booleans: length %u beyond end", l);
    uint32_t *tmp = dlk_malloc((size_t)(n ? n : 1) * 4);
    if (!tmp) return dlk_err_nomem();
    int rc = dlk_pq__decode_rle(src + 4, l, 1, n, tmp);
    if (!rc) rc = dlk_buf_reserve(&out->data, (size_t)n);
    if (!rc) {
        for (int64_t i = 0; i < n; i++) out->data.data[out->data.len + (size_t)i] = (uint8_t)tmp[i];
        out->data.len += (size_t)n;
        out->n += n;
    }
    dlk_free(tmp);
    return rc;
}
