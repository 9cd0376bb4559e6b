/*
 * parquet/reader_pages.c - reading one column chunk: page headers, CRC
 * checks, decompression (codec.h), repetition/definition levels and values
 * of data pages v1 and v2 with any supported encoding, dictionary pages.
 */
#include "parquet/codec.h"
#include "parquet/reader_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/misc.h"

#include <string.h>

#define MAX_PAGE_BYTES (1u << 30)
#define MAX_PAGE_VALUES (1 << 28)
#define MAX_CHUNK_LEVELS ((int64_t)1 << 30)

void dlk_pq__chunk_free(pq_chunk *c)
{
    dlk_free(c->def);
    dlk_free(c->rep);
    dlk_pq__values_free(&c->vals);
    memset(c, 0, sizeof *c);
}

static int bit_width(int max)
{
    int w = 0;
    while (max >> w) w++;
    return w;
}

typedef struct chunk_ctx {
    dlk_pq_file *f;
    const pq_leaf *l;
    const dlk_pq_column_meta *m;
    pq_chunk *c;
    int64_t cap_levels;
    dlk_pq_values dict;
    bool has_dict;
    uint32_t *scratch;
    size_t scratch_n;
} chunk_ctx;

static int grow_levels(chunk_ctx *x, int64_t add)
{
    pq_chunk *c = x->c;
    int64_t n = c->n_levels + add;
    if (n > x->cap_levels) {
        int64_t cap = x->cap_levels ? x->cap_levels * 2 : 1024;
        while (cap < n) cap *= 2;
        if (x->l->max_def) {
            int16_t *d = dlk_realloc(c->def, (size_t)cap * 2);
            if (!d) return dlk_err_nomem();
            c->def = d;
        }
        if (x->l->max_rep) {
            int16_t *r = dlk_realloc(c->rep, (size_t)cap * 2);
            if (!r) return dlk_err_nomem();
            c->rep = r;
        }
        x->cap_levels = cap;
    }
    return DLK_OK;
}

static int scratch(chunk_ctx *x, int64_t n)
{
    if ((size_t)n > x->scratch_n) {
        uint32_t *s = dlk_realloc(x->scratch, (size_t)n * 4);
        if (!s) return dlk_err_nomem();
        x->scratch = s;
        x->scratch_n = (size_t)n;
    }
    return DLK_OK;
}

/* Decode n levels (max > 0) into dst; v1 (with 4-byte length for RLE) or v2 (len given). */
static int read_levels(chunk_ctx *x, int enc, int max, const uint8_t *p, size_t avail, bool v2, size_t v2len,
                       int64_t n, int16_t *dst, size_t *used)
{
    int bw = bit_width(max);
    int rc = scratch(x, n);
    if (rc) return rc;
    if (v2) {
        if (v2len > avail) return dlk_err_set(DLK_CORRUPT, "levels length %zu beyond page end", v2len);
        rc = dlk_pq__decode_rle(p, v2len, bw, n, x->scratch);
        *used = v2len;
    } else if (enc == DLK_PQ_RLE) {
        if (avail < 4) return dlk_err_set(DLK_CORRUPT, "levels: missing length prefix");
        uint32_t l;
        memcpy(&l, p, 4);
        if (l > avail - 4) return dlk_err_set(DLK_CORRUPT, "levels length %u beyond page end", l);
        rc = dlk_pq__decode_rle(p + 4, l, bw, n, x->scratch);
        *used = 4 + (size_t)l;
    } else if (enc == DLK_PQ_BIT_PACKED) {
        size_t bytes = (size_t)(((uint64_t)n * (uint64_t)bw + 7) / 8);
        if (bytes > avail) return dlk_err_set(DLK_CORRUPT, "BIT_PACKED levels beyond page end");
        rc = dlk_pq__decode_bitpacked_msb(p, bytes, bw, n, x->scratch);
        *used = bytes;
    } else
        return dlk_err_set(DLK_UNSUPPORTED, "level encoding %s", dlk_pq_encoding_name(enc));
    if (rc) return rc;
    for (int64_t i = 0; i < n; i++) {
        if (x->scratch[i] > (uint32_t)max) return dlk_err_set(DLK_CORRUPT, "level %u above maximum %d", x->scratch[i], max);
        dst[i] = (int16_t)x->scratch[i];
    }
    return DLK_OK;
}

static int decode_values(chunk_ctx *x, int enc, const uint8_t *p, size_t len, int64_t nv)
{
    dlk_pq_values *v = &x->c->vals;
    size_t used;
    switch (enc) {
    case DLK_PQ_PLAIN: return dlk_pq__decode_plain(v, p, len, nv, &used);
    case DLK_PQ_PLAIN_DICTIONARY:
    case DLK_PQ_RLE_DICTIONARY:
        if (!x->has_dict) return dlk_err_set(DLK_CORRUPT, "dictionary-encoded page without a dictionary page");
        return dlk_pq__decode_dict(v, &x->dict, p, len, nv);
    case DLK_PQ_RLE:
        if (v->ptype != DLK_PQ_BOOLEAN) return dlk_err_set(DLK_CORRUPT, "RLE values on a non-boolean column");
        return dlk_pq__decode_rle_bool(v, p, len, nv);
    case DLK_PQ_DELTA_BINARY_PACKED:
        if (v->ptype != DLK_PQ_INT32 && v->ptype != DLK_PQ_INT64)
            return dlk_err_set(DLK_CORRUPT, "DELTA_BINARY_PACKED on a non-integer column");
        return dlk_pq__decode_delta_bp(v, NULL, p, len, nv, &used);
    case DLK_PQ_DELTA_LENGTH_BYTE_ARRAY:
        if (v->ptype != DLK_PQ_BYTE_ARRAY) return dlk_err_set(DLK_CORRUPT, "DELTA_LENGTH_BYTE_ARRAY on a non-binary column");
        return dlk_pq__decode_delta_length_ba(v, p, len, nv);
    case DLK_PQ_DELTA_BYTE_ARRAY:
        if (v->ptype != DLK_PQ_BYTE_ARRAY && v->ptype != DLK_PQ_FIXED_LEN_BYTE_ARRAY)
            return dlk_err_set(DLK_CORRUPT, "DELTA_BYTE_ARRAY on a non-binary column");
        return dlk_pq__decode_delta_ba(v, p, len, nv);
    case DLK_PQ_BYTE_STREAM_SPLIT: return dlk_pq__decode_byte_stream_split(v, p, len, nv);
    default: return dlk_err_set(DLK_UNSUPPORTED, "value encoding %s (%d)", dlk_pq_encoding_name(enc), enc);
    }
}

static int data_page(chunk_ctx *x, const dlk_pq_page_header *h, const uint8_t *p, size_t len,
                     const uint8_t *raw_levels, size_t raw_levels_len)
{
    const pq_leaf *l = x->l;
    pq_chunk *c = x->c;
    int64_t n = h->num_values;
    if (n < 0 || n > MAX_PAGE_VALUES) return dlk_err_set(DLK_CORRUPT, "page claims %lld values", (long long)n);
    if (c->n_levels + n > x->m->num_values || c->n_levels + n > MAX_CHUNK_LEVELS)
        return dlk_err_set(DLK_CORRUPT, "pages hold more values than the column chunk's %lld", (long long)x->m->num_values);
    if (n == 0) return DLK_OK;
    int rc = grow_levels(x, n);
    if (rc) return rc;
    bool v2 = h->type == DLK_PQ_DATA_PAGE_V2;
    size_t pos = 0, used = 0;
    int16_t *rep = l->max_rep ? c->rep + c->n_levels : NULL;
    int16_t *def = l->max_def ? c->def + c->n_levels : NULL;
    if (v2) {
        if (l->max_rep && (rc = read_levels(x, DLK_PQ_RLE, l->max_rep, raw_levels, raw_levels_len, true, (size_t)h->rep_len, n, rep, &used)))
            return dlk_err_context(rc, "repetition levels");
        if (l->max_def && (rc = read_levels(x, DLK_PQ_RLE, l->max_def, raw_levels + h->rep_len, raw_levels_len - (size_t)h->rep_len, true, (size_t)h->def_len, n, def, &used)))
            return dlk_err_context(rc, "definition levels");
    } else {
        if (l->max_rep) {
            if ((rc = read_levels(x, h->rep_encoding, l->max_rep, p, len, false, 0, n, rep, &used)))
                return dlk_err_context(rc, "repetition levels");
            pos += used;
        }
        if (l->max_def) {
            if ((rc = read_levels(x, h->def_encoding, l->max_def, p + pos, len - pos, false, 0, n, def, &used)))
                return dlk_err_context(rc, "definition levels");
            pos += used;
        }
    }
    if (rep && c->n_levels == 0 && n > 0 && rep[0] != 0)
        return dlk_err_set(DLK_CORRUPT, "first repetition level is %d, not 0", rep[0]);
    int64_t nv = n;
    if (def) {
        nv = 0;
        for (int64_t i = 0; i < n; i++) nv += def[i] == l->max_def;
    }
    c->n_levels += n;
    return decode_values(x, h->encoding, p + pos, len - pos, nv);
}

int dlk_pq__read_chunk(dlk_pq_file *f, int rg, int leaf, pq_chunk *c)
{
    const dlk_pq_column_chunk *cc = &f->meta.row_groups[rg].columns[leaf];
    const dlk_pq_column_meta *m = &cc->meta;
    const pq_leaf *l = &f->leaves[leaf];
    chunk_ctx x = {0};
    x.f = f;
    x.l = l;
    x.m = m;
    x.c = c;
    memset(c, 0, sizeof *c);
    dlk_pq__values_init(&c->vals, l->ptype, l->width);
    dlk_pq__values_init(&x.dict, l->ptype, l->width);
    uint8_t *ubuf = NULL;
    size_t ubuf_cap = 0;
    int rc = DLK_OK;
    size_t pos = 0;
    if (cc->file_path) {
        rc = dlk_err_set(DLK_UNSUPPORTED, "%s: column %s: column chunk in another file (%s)", f->name, l->path, cc->file_path);
        goto done;
    }
    if (m->codec < 0 || m->codec > 7) { rc = dlk_err_set(DLK_CORRUPT, "%s: column %s: unknown codec %d", f->name, l->path, m->codec); goto done; }
    if (m->num_values < 0) { rc = dlk_err_set(DLK_CORRUPT, "%s: column %s: negative num_values", f->name, l->path); goto done; }
    if (m->num_values == 0) goto done;
    int64_t start = m->data_page_offset;
    if (m->dictionary_page_offset > 0 && m->dictionary_page_offset < start) start = m->dictionary_page_offset;
    size_t limit = f->len >= 8 ? f->len - 8 : 0;
    if (start < 4 || (uint64_t)start >= limit) {
        rc = dlk_err_set(DLK_CORRUPT, "%s: column %s: chunk offset %lld outside the file", f->name, l->path, (long long)start);
        goto done;
    }
    size_t end = limit;
    if (m->total_compressed_size > 0 && (uint64_t)m->total_compressed_size < limit - (size_t)start)
        end = (size_t)start + (size_t)m->total_compressed_size;
    pos = (size_t)start;
    while (c->n_levels < m->num_values) {
        if (pos >= end) {
            rc = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: column %s: chunk ends after %lld of %lld values", f->name, pos,
                             l->path, (long long)c->n_levels, (long long)m->num_values);
            goto done;
        }
        dlk_pq_page_header h;
        size_t hl;
        size_t page_off = pos;
        /* no name: the page context below names the file */
        if ((rc = dlk_pq__parse_page_header(f->data + pos, end - pos, pos, "", &h, &hl))) {
            /* total_compressed_size may be understated by old writers: retry against the file end */
            if (end < limit && (rc = dlk_pq__parse_page_header(f->data + pos, limit - pos, pos, "", &h, &hl)) == DLK_OK)
                end = limit;
            else
                goto ctx;
        }
        pos += hl;
        if ((size_t)h.compressed_size > end - pos) {
            if ((size_t)h.compressed_size <= limit - pos)
                end = limit;
            else {
                rc = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: column %s: page of %d bytes beyond the chunk end", f->name,
                                 page_off, l->path, h.compressed_size);
                goto done;
            }
        }
        const uint8_t *page = f->data + pos;
        size_t plen = (size_t)h.compressed_size;
        pos += plen;
        if (h.has_crc && f->verify_crc && dlk_crc32(0, page, plen) != h.crc) {
            rc = dlk_err_set(DLK_CORRUPT, "%s: offset %zu: column %s: page CRC mismatch", f->name, page_off, l->path);
            goto done;
        }
        if (h.type == DLK_PQ_INDEX_PAGE) continue;
        if (h.type != DLK_PQ_DATA_PAGE && h.type != DLK_PQ_DATA_PAGE_V2 && h.type != DLK_PQ_DICTIONARY_PAGE) continue;
        if (!h.has_data_header) { rc = dlk_err_set(DLK_CORRUPT, "page header lacks its type-specific header"); goto ctx; }
        if ((uint32_t)h.uncompressed_size > MAX_PAGE_BYTES) { rc = dlk_err_set(DLK_UNSUPPORTED, "page of %d bytes uncompressed (limit 1 GiB)", h.uncompressed_size); goto ctx; }
        /* v2: levels are stored uncompressed before the values */
        const uint8_t *lv = NULL;
        size_t lvlen = 0;
        const uint8_t *body = page;
        size_t blen = plen, ulen = (size_t)h.uncompressed_size;
        bool compressed = m->codec != DLK_PQ_UNCOMPRESSED;
        if (h.type == DLK_PQ_DATA_PAGE_V2) {
            if (h.rep_len < 0 || h.def_len < 0 || (size_t)h.rep_len + (size_t)h.def_len > plen ||
                (size_t)h.rep_len + (size_t)h.def_len > ulen) {
                rc = dlk_err_set(DLK_CORRUPT, "v2 page level lengths %d + %d beyond the page", h.rep_len, h.def_len);
                goto ctx;
            }
            lv = page;
            lvlen = (size_t)h.rep_len + (size_t)h.def_len;
            body = page + lvlen;
            blen = plen - lvlen;
            ulen -= lvlen;
            if (!h.is_compressed) compressed = false;
        }
        if (compressed && !(blen == 0 && ulen == 0)) {
            if (ulen > ubuf_cap) {
                uint8_t *nb = dlk_realloc(ubuf, ulen);
                if (!nb) { rc = dlk_err_nomem(); goto done; }
                ubuf = nb;
                ubuf_cap = ulen;
            }
            if ((rc = dlk_pq_decompress(m->codec, body, blen, ubuf, ulen))) goto ctx;
            body = ubuf;
            blen = ulen;
        }
        if (h.type == DLK_PQ_DICTIONARY_PAGE) {
            if (x.has_dict) { rc = dlk_err_set(DLK_CORRUPT, "second dictionary page"); goto ctx; }
            if (h.encoding != DLK_PQ_PLAIN && h.encoding != DLK_PQ_PLAIN_DICTIONARY) {
                rc = dlk_err_set(DLK_UNSUPPORTED, "dictionary page encoding %s", dlk_pq_encoding_name(h.encoding));
                goto ctx;
            }
            if (h.num_values < 0 || (h.num_values > 0 && (uint64_t)h.num_values > (uint64_t)blen * 8 && l->width != 0)) {
                rc = dlk_err_set(DLK_CORRUPT, "dictionary of %d values in %zu bytes", h.num_values, blen);
                goto ctx;
            }
            size_t used;
            if ((rc = dlk_pq__decode_plain(&x.dict, body, blen, h.num_values, &used))) goto ctx;
            x.has_dict = true;
            continue;
        }
        if ((rc = data_page(&x, &h, body, blen, lv, lvlen))) goto ctx;
        continue;
    ctx:
        rc = dlk_err_context(rc, "%s: offset %zu: column %s (row group %d)", f->name, page_off, l->path, rg);
        goto done;
    }
    /* values must cover the levels */
    {
        int64_t want = 0;
        if (l->max_def) {
            for (int64_t i = 0; i < c->n_levels; i++) want += c->def[i] == l->max_def;
        } else
            want = c->n_levels;
        if (want != c->vals.n)
            rc = dlk_err_set(DLK_CORRUPT, "%s: column %s (row group %d): %lld values decoded, levels need %lld", f->name,
                             l->path, rg, (long long)c->vals.n, (long long)want);
    }
done:
    dlk_free(ubuf);
    dlk_free(x.scratch);
    dlk_pq__values_free(&x.dict);
    if (rc) dlk_pq__chunk_free(c);
    return rc;
}
