/*
 * tests/arrow_compare.h - logical equality of two Arrow arrays of the same
 * schema (offsets and buffers may differ; values, nulls and nesting must
 * not). Floats compare bitwise, so NaN equals NaN and -0.0 differs from
 * 0.0. Header-only, for tests. On a difference it prints the column path,
 * the slot and what differs.
 *
 *   if (!arrow_equal(schema, expected, actual)) ...
 */
#ifndef DLK_TESTS_ARROW_COMPARE_H
#define DLK_TESTS_ARROW_COMPARE_H

#include "arrow/arrow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int ac_width(const char *f)
{
    if (!strcmp(f, "c") || !strcmp(f, "C")) return 1;
    if (!strcmp(f, "s") || !strcmp(f, "S") || !strcmp(f, "e")) return 2;
    if (!strcmp(f, "i") || !strcmp(f, "I") || !strcmp(f, "f") || !strcmp(f, "tdD")) return 4;
    if (!strcmp(f, "l") || !strcmp(f, "L") || !strcmp(f, "g") || !strncmp(f, "ts", 2)) return 8;
    if (!strncmp(f, "d:", 2)) return 16;
    if (!strncmp(f, "w:", 2)) return atoi(f + 2);
    return 0;
}

static inline bool ac_slot(const struct ArrowSchema *s, const char *path, const struct ArrowArray *a,
                    int64_t i, const struct ArrowArray *b, int64_t j)
{
    const char *f = s->format;
    bool va = dlk_arrow_is_valid(a, i), vb = dlk_arrow_is_valid(b, j);
    if (va != vb) {
        fprintf(stderr, "%s[%lld]: expected %s, got %s\n", path, (long long)i, va ? "a value" : "null",
                vb ? "a value" : "null");
        return false;
    }
    if (!va) return true;
    int64_t pa = a->offset + i, pb = b->offset + j;
    if (!strcmp(f, "b")) {
        bool x = dlk_bit_get(a->buffers[1], pa), y = dlk_bit_get(b->buffers[1], pb);
        if (x != y) fprintf(stderr, "%s[%lld]: bool %d != %d\n", path, (long long)i, x, y);
        return x == y;
    }
    if (!strcmp(f, "u") || !strcmp(f, "z")) {
        const int32_t *oa = a->buffers[1], *ob = b->buffers[1];
        int32_t la = oa[pa + 1] - oa[pa], lb = ob[pb + 1] - ob[pb];
        const char *da = (const char *)a->buffers[2] + oa[pa], *db = (const char *)b->buffers[2] + ob[pb];
        if (la != lb || (la && memcmp(da, db, (size_t)la))) {
            fprintf(stderr, "%s[%lld]: bytes differ: \"%.*s\" (%d) vs \"%.*s\" (%d)\n", path,
                    (long long)i, la > 60 ? 60 : la, da, la, lb > 60 ? 60 : lb, db, lb);
            return false;
        }
        return true;
    }
    if (!strcmp(f, "+s")) {
        for (int64_t k = 0; k < s->n_children; k++) {
            char p[512];
            snprintf(p, sizeof p, "%s.%s", path, s->children[k]->name);
            if (!ac_slot(s->children[k], p, a->children[k], pa, b->children[k], pb)) return false;
        }
        return true;
    }
    if (!strcmp(f, "+l") || !strcmp(f, "+m")) {
        const int32_t *oa = a->buffers[1], *ob = b->buffers[1];
        int32_t la = oa[pa + 1] - oa[pa], lb = ob[pb + 1] - ob[pb];
        if (la != lb) {
            fprintf(stderr, "%s[%lld]: %d entries, got %d\n", path, (long long)i, la, lb);
            return false;
        }
        char p[512];
        snprintf(p, sizeof p, "%s[%lld]", path, (long long)i);
        for (int32_t k = 0; k < la; k++)
            if (!ac_slot(s->children[0], p, a->children[0], oa[pa] + k, b->children[0], ob[pb] + k))
                return false;
        return true;
    }
    int w = ac_width(f);
    if (w <= 0) {
        fprintf(stderr, "%s: format %s not comparable\n", path, f);
        return false;
    }
    const uint8_t *xa = (const uint8_t *)a->buffers[1] + (size_t)w * (size_t)pa;
    const uint8_t *xb = (const uint8_t *)b->buffers[1] + (size_t)w * (size_t)pb;
    if (memcmp(xa, xb, (size_t)w)) {
        fprintf(stderr, "%s[%lld] (%s): value bytes differ:", path, (long long)i, f);
        for (int k = 0; k < w; k++) fprintf(stderr, " %02x/%02x", xa[k], xb[k]);
        fprintf(stderr, "\n");
        return false;
    }
    return true;
}

/* Compare the formats of two schemas (names and nesting too). */
static inline bool schema_equal(const struct ArrowSchema *a, const struct ArrowSchema *b, const char *path)
{
    if (strcmp(a->format, b->format) || a->n_children != b->n_children ||
        strcmp(a->name ? a->name : "", b->name ? b->name : "")) {
        fprintf(stderr, "%s: schema %s '%s' (%lld children) vs %s '%s' (%lld children)\n", path,
                a->format, a->name ? a->name : "", (long long)a->n_children, b->format,
                b->name ? b->name : "", (long long)b->n_children);
        return false;
    }
    for (int64_t k = 0; k < a->n_children; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s.%s", path, a->children[k]->name ? a->children[k]->name : "");
        if (!schema_equal(a->children[k], b->children[k], p)) return false;
    }
    return true;
}

/* Rows [0, n) of a (from row a0) against rows of b (from row b0). */
static inline bool arrow_equal_rows(const struct ArrowSchema *s, const struct ArrowArray *a, int64_t a0,
                             const struct ArrowArray *b, int64_t b0, int64_t n)
{
    for (int64_t r = 0; r < n; r++)
        if (!ac_slot(s, "row", a, a0 + r, b, b0 + r)) return false;
    return true;
}

#endif
