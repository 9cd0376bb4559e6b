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
    for (int64_t i = 0; i < a->n_buffers; i++) dlk_free((void *)a->buffers[i]);
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
