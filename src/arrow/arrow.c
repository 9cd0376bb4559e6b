/* arrow/arrow.c - owned Arrow C Data Interface structs (see arrow/arrow.h). */
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/error.h"

#include <string.h>

typedef struct {
    const void **buffers;
    struct ArrowArray **children;
} array_priv;

static void array_release(struct ArrowArray *a)
{
    if (!a || !a->release) return;
    array_priv *p = a->private_data;
    for (int64_t i = 0; i < a->n_buffers; i++)
        dlk_free((void *)a->buffers[i]);
    for (int64_t i = 0; i < a->n_children; i++) {
        if (a->children[i]) {
            dlk_arrow_array_release(a->children[i]);
            dlk_free(a->children[i]);
        }
    }
    if (a->dictionary) {
        dlk_arrow_array_release(a->dictionary);
        dlk_free(a->dictionary);
    }
    if (p) {
        dlk_free(p->buffers);
        dlk_free(p->children);
        dlk_free(p);
    }
    a->release = NULL;
}

int dlk_arrow_array_new(struct ArrowArray *out, int64_t length, int64_t n_buffers,
                        int64_t n_children)
{
    memset(out, 0, sizeof *out);
    array_priv *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    p->buffers = dlk_calloc((size_t)(n_buffers ? n_buffers : 1), sizeof(void *));
    p->children = dlk_calloc((size_t)(n_children ? n_children : 1), sizeof(void *));
    out->private_data = p;
    out->release = array_release;
    if (!p->buffers || !p->children) goto oom;
    out->buffers = p->buffers;
    out->children = p->children;
    out->n_buffers = n_buffers;
    out->length = length;
    for (int64_t i = 0; i < n_children; i++) {
        p->children[i] = dlk_calloc(1, sizeof(struct ArrowArray));
        if (!p->children[i]) goto oom;
        out->n_children = i + 1;
    }
    return DLK_OK;
oom:
    array_release(out);
    return dlk_err_nomem();
}

void *dlk_arrow_array_alloc_buffer(struct ArrowArray *a, int64_t i, size_t n)
{
    void *b = dlk_calloc(1, n ? n : 1);
    if (!b) return NULL;
    dlk_arrow_array_set_buffer(a, i, b);
    return b;
}

void dlk_arrow_array_set_buffer(struct ArrowArray *a, int64_t i, void *p)
{
    dlk_free((void *)a->buffers[i]);
    a->buffers[i] = p;
}

struct ArrowArray *dlk_arrow_array_add_dictionary(struct ArrowArray *a)
{
    if (!a->dictionary) a->dictionary = dlk_calloc(1, sizeof(struct ArrowArray));
    return a->dictionary;
}

typedef struct {
    char *format;
    char *name;
    struct ArrowSchema **children;
    char *metadata;
} schema_priv;

static void schema_release(struct ArrowSchema *s)
{
    if (!s || !s->release) return;
    schema_priv *p = s->private_data;
    for (int64_t i = 0; i < s->n_children; i++) {
        if (s->children[i]) {
            dlk_arrow_schema_release(s->children[i]);
            dlk_free(s->children[i]);
        }
    }
    if (s->dictionary) {
        dlk_arrow_schema_release(s->dictionary);
        dlk_free(s->dictionary);
    }
    if (p) {
        dlk_free(p->format);
        dlk_free(p->name);
        dlk_free(p->metadata);
        dlk_free(p->children);
        dlk_free(p);
    }
    s->release = NULL;
}

int dlk_arrow_schema_new(struct ArrowSchema *out, const char *format, const char *name,
                         int64_t flags, int64_t n_children)
{
    memset(out, 0, sizeof *out);
    schema_priv *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    out->private_data = p;
    out->release = schema_release;
    p->format = dlk_strdup(format);
    p->name = dlk_strdup(name ? name : "");
    p->children = dlk_calloc((size_t)(n_children ? n_children : 1), sizeof(void *));
    if (!p->format || !p->name || !p->children) goto oom;
    out->format = p->format;
    out->name = p->name;
    out->flags = flags;
    out->children = p->children;
    for (int64_t i = 0; i < n_children; i++) {
        p->children[i] = dlk_calloc(1, sizeof(struct ArrowSchema));
        if (!p->children[i]) goto oom;
        out->n_children = i + 1;
    }
    return DLK_OK;
oom:
    schema_release(out);
    return dlk_err_nomem();
}

int dlk_arrow_schema_copy(const struct ArrowSchema *src, struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, src->format, src->name, src->flags, src->n_children);
    if (rc) return rc;
    if (src->metadata && (rc = dlk_arrow_schema_set_metadata_raw(out, src->metadata))) goto fail;
    for (int64_t i = 0; i < src->n_children; i++) {
        rc = dlk_arrow_schema_copy(src->children[i], out->children[i]);
        if (rc) goto fail;
    }
    if (src->dictionary) {
        out->dictionary = dlk_calloc(1, sizeof(struct ArrowSchema));
        if (!out->dictionary) {
            rc = dlk_err_nomem();
            goto fail;
        }
        rc = dlk_arrow_schema_copy(src->dictionary, out->dictionary);
        if (rc) goto fail;
    }
    return DLK_OK;
fail:
    schema_release(out);
    return rc;
}

int64_t dlk_arrow_schema_find(const struct ArrowSchema *s, const char *name)
{
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->name && strcmp(s->children[i]->name, name) == 0) return i;
    return -1;
}

void dlk_arrow_array_release(struct ArrowArray *a)
{
    if (a && a->release) a->release(a);
}

void dlk_arrow_schema_release(struct ArrowSchema *s)
{
    if (s && s->release) s->release(s);
}

void dlk_arrow_stream_release(struct ArrowArrayStream *s)
{
    if (s && s->release) s->release(s);
}

void dlk_arrow_array_move(struct ArrowArray *src, struct ArrowArray *dst)
{
    *dst = *src;
    src->release = NULL;
}

void dlk_arrow_schema_move(struct ArrowSchema *src, struct ArrowSchema *dst)
{
    *dst = *src;
    src->release = NULL;
}

/* Size in bytes of an encoded metadata block (int32 n, then n pairs of
 * int32 length + bytes). */
static size_t metadata_size(const char *md)
{
    int32_t n, l;
    memcpy(&n, md, 4);
    size_t off = 4;
    for (int32_t i = 0; i < n * 2; i++) {
        memcpy(&l, md + off, 4);
        off += 4 + (size_t)(l > 0 ? l : 0);
    }
    return off;
}

int dlk_arrow_schema_set_metadata_raw(struct ArrowSchema *s, const char *md)
{
    schema_priv *p = s->private_data;
    if (!p || s->release != schema_release)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "arrow: metadata on a foreign schema");
    char *copy = NULL;
    if (md) {
        copy = dlk_memdup(md, metadata_size(md));
        if (!copy) return dlk_err_nomem();
    }
    dlk_free(p->metadata);
    p->metadata = copy;
    s->metadata = copy;
    return DLK_OK;
}

int dlk_arrow_schema_set_metadata(struct ArrowSchema *s, const char *const *keys,
                                  const char *const *values, size_t n)
{
    if (n == 0) return dlk_arrow_schema_set_metadata_raw(s, NULL);
    size_t total = 4;
    for (size_t i = 0; i < n; i++)
        total += 8 + strlen(keys[i]) + strlen(values[i]);
    char *md = dlk_malloc(total);
    if (!md) return dlk_err_nomem();
    int32_t cnt = (int32_t)n;
    memcpy(md, &cnt, 4);
    size_t off = 4;
    for (size_t i = 0; i < n; i++) {
        const char *kv[2] = {keys[i], values[i]};
        for (int j = 0; j < 2; j++) {
            int32_t l = (int32_t)strlen(kv[j]);
            memcpy(md + off, &l, 4);
            memcpy(md + off + 4, kv[j], (size_t)l);
            off += 4 + (size_t)l;
        }
    }
    int rc = dlk_arrow_schema_set_metadata_raw(s, md);
    dlk_free(md);
    return rc;
}

bool dlk_arrow_metadata_get(const char *md, const char *key, const char **value, size_t *len)
{
    if (!md) return false;
    int32_t n, kl, vl;
    memcpy(&n, md, 4);
    size_t off = 4, klen = strlen(key);
    for (int32_t i = 0; i < n; i++) {
        memcpy(&kl, md + off, 4);
        const char *k = md + off + 4;
        off += 4 + (size_t)(kl > 0 ? kl : 0);
        memcpy(&vl, md + off, 4);
        const char *v = md + off + 4;
        off += 4 + (size_t)(vl > 0 ? vl : 0);
        if (kl >= 0 && (size_t)kl == klen && memcmp(k, key, klen) == 0) {
            *value = v;
            *len = (size_t)(vl > 0 ? vl : 0);
            return true;
        }
    }
    return false;
}

const char *dlk_arrow_type_word(const char *f)
{
    static const struct {
        const char *prefix, *word;
    } WORDS[] = {
        {"c", "byte"},    {"C", "byte"},     {"s", "short"},   {"S", "short"},   {"i", "integer"},
        {"I", "integer"}, {"l", "long"},     {"L", "long"},    {"e", "float"},   {"f", "float"},
        {"g", "double"},  {"b", "boolean"},  {"u", "string"},  {"U", "string"},  {"vu", "string"},
        {"z", "binary"},  {"Z", "binary"},   {"vz", "binary"}, {"tdD", "date"},  {"tdm", "date"},
        {"tt", "time"},   {"d:", "decimal"}, {"+s", "struct"}, {"+m", "map"},    {"+l", "array"},
        {"+L", "array"},  {"+vl", "array"},  {"+w:", "array"}, {"w:", "binary"}, {"n", "void"}};
    if (!f) return "unknown";
    if (!strncmp(f, "ts", 2))
        return strchr(f, ':') && f[strlen(f) - 1] != ':' ? "timestamp" : "timestamp_ntz";
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++) {
        size_t n = strlen(WORDS[i].prefix);
        bool exact = WORDS[i].prefix[n - 1] != ':' && strcmp(WORDS[i].prefix, "tt");
        if (exact ? !strcmp(f, WORDS[i].prefix) : !strncmp(f, WORDS[i].prefix, n))
            return WORDS[i].word;
    }
    return f;
}
