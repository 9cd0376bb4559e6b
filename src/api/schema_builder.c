/*
 * api/schema_builder.c - dlk_schema_builder (include/deltalake/connector.h):
 * a table schema assembled field by field into an Arrow "+s". Type text is
 * parsed by the one DDL parser (core/schema_ddl.c); nested structs are a
 * stack of open levels.
 */
#include "api/connector_int.h"
#include "arrow/arrow.h"
#include "core/schema_ddl.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

#include <stdio.h>
#include <string.h>

typedef struct level {
    char *name; /* struct field name (NULL for the top level) */
    bool nullable;
    struct ArrowSchema *fields;
    size_t n, cap;
} level;

struct dlk_schema_builder {
    level *lv;
    size_t depth, cap; /* lv[0] is the top level */
    int err;           /* first error of an add, kept for finish */
    char *err_msg;
};

static const char *const TYPE_NAMES[] = {"string", "long",  "int",       "short",
                                         "byte",   "float", "double",    "boolean",
                                         "binary", "date",  "timestamp", "timestamp_ntz"};

const char *dlk_type_to_name(dlk_type t)
{
    return (unsigned)t < sizeof TYPE_NAMES / sizeof *TYPE_NAMES ? TYPE_NAMES[t] : NULL;
}

static void level_clear(level *l)
{
    for (size_t i = 0; i < l->n; i++)
        dlk_arrow_schema_release(&l->fields[i]);
    dlk_free(l->fields);
    dlk_free(l->name);
    memset(l, 0, sizeof *l);
}

static void reset(dlk_schema_builder *b)
{
    for (size_t i = 0; i < b->depth; i++)
        level_clear(&b->lv[i]);
    b->depth = 1;
    b->err = 0;
    dlk_free(b->err_msg);
    b->err_msg = NULL;
}

int dlk_schema_builder_new(dlk_schema_builder **out)
{
    if (!out) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: out is NULL");
    dlk_schema_builder *b = dlk_calloc(1, sizeof *b);
    if (!b || !(b->lv = dlk_calloc(4, sizeof *b->lv))) {
        dlk_free(b);
        return dlk_err_nomem();
    }
    b->cap = 4;
    b->depth = 1;
    *out = b;
    return DLK_OK;
}

void dlk_schema_builder_free(dlk_schema_builder **b)
{
    if (!b || !*b) return;
    reset(*b);
    level_clear(&(*b)->lv[0]);
    dlk_free((*b)->lv);
    dlk_free(*b);
    *b = NULL;
}

/* Remember the first error (message too) and return rc. */
static int fail(dlk_schema_builder *b, int rc)
{
    if (!b->err) {
        b->err = rc;
        b->err_msg = dlk_strdup(dlk_error_last()->message);
    }
    return rc;
}

static int check_name(dlk_schema_builder *b, const char *name)
{
    if (!name || !name[0])
        return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: a field name must not be empty"));
    level *l = &b->lv[b->depth - 1];
    for (size_t i = 0; i < l->n; i++)
        if (dlk_str_ieq(l->fields[i].name, name))
            return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: duplicate field '%s'", name));
    return DLK_OK;
}

/* Append field (moved in) to the current level. */
static int push(dlk_schema_builder *b, struct ArrowSchema *field)
{
    level *l = &b->lv[b->depth - 1];
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        struct ArrowSchema *f = dlk_realloc(l->fields, nc * sizeof *f);
        if (!f) {
            dlk_arrow_schema_release(field);
            return fail(b, dlk_err_nomem());
        }
        l->fields = f;
        l->cap = nc;
    }
    dlk_arrow_schema_move(field, &l->fields[l->n++]);
    return DLK_OK;
}

/* Parse "`name` type [not null]" with the DDL parser; *field gets the one field. */
static int parse_field(dlk_schema_builder *b, const char *name, const char *type, bool nullable,
                       struct ArrowSchema *field)
{
    if (!type || !type[0])
        return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: field '%s': no type", name));
    dlk_buf t = {0};
    int rc = dlk_buf_putc(&t, '`');
    for (const char *c = name; *c && !rc; c++)
        rc = *c == '`' ? dlk_buf_puts(&t, "``") : dlk_buf_putc(&t, *c);
    if (!rc) rc = dlk_buf_printf(&t, "` %s%s", type, nullable ? "" : " not null");
    struct ArrowSchema s = {0};
    if (!rc) rc = dlk_core_schema_ddl_parse(dlk_buf_cstr(&t), &s);
    dlk_buf_free(&t);
    if (!rc && s.n_children != 1)
        rc = dlk_err_set(DLK_PARSE, "schema: field '%s': '%s' is not one type", name, type);
    if (rc) {
        dlk_arrow_schema_release(&s);
        return fail(b, dlk_err_context(rc, "field '%s'", name));
    }
    dlk_arrow_schema_move(s.children[0], field);
    dlk_arrow_schema_release(&s);
    return DLK_OK;
}

int dlk_schema_builder_add(dlk_schema_builder *b, const char *name, const char *type, bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    int rc = check_name(b, name);
    if (rc) return rc;
    struct ArrowSchema f = {0};
    if ((rc = parse_field(b, name, type, nullable, &f))) return rc;
    return push(b, &f);
}

int dlk_schema_builder_add_type(dlk_schema_builder *b, const char *name, dlk_type type,
                                bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    const char *tn = dlk_type_to_name(type);
    if (!tn)
        return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: field '%s': unknown type %d",
                                   name ? name : "", (int)type));
    return dlk_schema_builder_add(b, name, tn, nullable);
}

int dlk_schema_builder_add_decimal(dlk_schema_builder *b, const char *name, int precision,
                                   int scale, bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
        return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT,
                                   "schema: field '%s': decimal(%d,%d) needs 1 <= precision <= 38 "
                                   "and 0 <= scale <= precision",
                                   name ? name : "", precision, scale));
    char t[40];
    snprintf(t, sizeof t, "decimal(%d,%d)", precision, scale);
    return dlk_schema_builder_add(b, name, t, nullable);
}

int dlk_schema_builder_add_array(dlk_schema_builder *b, const char *name, const char *element_type,
                                 bool contains_null, bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    int rc = check_name(b, name);
    if (rc) return rc;
    dlk_buf t = {0};
    if (dlk_buf_printf(&t, "array<%s>", element_type ? element_type : "")) {
        dlk_buf_free(&t);
        return fail(b, dlk_err_nomem());
    }
    struct ArrowSchema f = {0};
    rc = parse_field(b, name, dlk_buf_cstr(&t), nullable, &f);
    dlk_buf_free(&t);
    if (rc) return rc;
    if (!contains_null) f.children[0]->flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
    return push(b, &f);
}

int dlk_schema_builder_add_map(dlk_schema_builder *b, const char *name, const char *key_type,
                               const char *value_type, bool value_contains_null, bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    int rc = check_name(b, name);
    if (rc) return rc;
    dlk_buf t = {0};
    if (dlk_buf_printf(&t, "map<%s,%s>", key_type ? key_type : "", value_type ? value_type : "")) {
        dlk_buf_free(&t);
        return fail(b, dlk_err_nomem());
    }
    struct ArrowSchema f = {0};
    rc = parse_field(b, name, dlk_buf_cstr(&t), nullable, &f);
    dlk_buf_free(&t);
    if (rc) return rc;
    if (!value_contains_null) f.children[0]->children[1]->flags &= ~(int64_t)ARROW_FLAG_NULLABLE;
    return push(b, &f);
}

int dlk_schema_builder_begin_struct(dlk_schema_builder *b, const char *name, bool nullable)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    int rc = check_name(b, name);
    if (rc) return rc;
    if (b->depth == b->cap) {
        level *n = dlk_realloc(b->lv, b->cap * 2 * sizeof *n);
        if (!n) return fail(b, dlk_err_nomem());
        memset(n + b->cap, 0, b->cap * sizeof *n);
        b->lv = n;
        b->cap *= 2;
    }
    level *l = &b->lv[b->depth];
    memset(l, 0, sizeof *l);
    if (!(l->name = dlk_strdup(name))) return fail(b, dlk_err_nomem());
    l->nullable = nullable;
    b->depth++;
    return DLK_OK;
}

/* Move the fields of level l into a new struct schema *out. */
static int level_to_struct(level *l, const char *name, int64_t flags, struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, "+s", name, flags, (int64_t)l->n);
    if (rc) return rc;
    for (size_t i = 0; i < l->n; i++) {
        dlk_arrow_schema_release(out->children[i]);
        dlk_arrow_schema_move(&l->fields[i], out->children[i]);
    }
    l->n = 0;
    return DLK_OK;
}

int dlk_schema_builder_end_struct(dlk_schema_builder *b)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    if (b->depth < 2)
        return fail(b,
                    dlk_err_set(DLK_INVALID_ARGUMENT, "schema: end_struct without begin_struct"));
    level *l = &b->lv[b->depth - 1];
    if (l->n == 0)
        return fail(
            b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: struct '%s' has no fields", l->name));
    struct ArrowSchema f = {0};
    int rc = level_to_struct(l, l->name, l->nullable ? ARROW_FLAG_NULLABLE : 0, &f);
    level_clear(l);
    b->depth--;
    if (rc) return fail(b, rc);
    return push(b, &f);
}

int dlk_schema_builder_add_arrow(dlk_schema_builder *b, const struct ArrowSchema *field)
{
    if (!b) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL");
    if (!field || !field->format)
        return fail(b, dlk_err_set(DLK_INVALID_ARGUMENT, "schema: NULL field"));
    int rc = check_name(b, field->name);
    if (rc) return rc;
    /* round-trip its type through its Delta name: checks it is a Delta type */
    dlk_buf t = {0};
    if ((rc = dlk_core_type_name(field, &t))) {
        dlk_buf_free(&t);
        return fail(b, rc);
    }
    if (dlk_str_starts_with(dlk_buf_cstr(&t), "arrow:") || strstr(dlk_buf_cstr(&t), "arrow:")) {
        rc = dlk_err_set(DLK_UNSUPPORTED, "schema: field '%s': Arrow type %s has no Delta type",
                         field->name, field->format);
        dlk_buf_free(&t);
        return fail(b, rc);
    }
    dlk_buf_free(&t);
    struct ArrowSchema f = {0};
    if ((rc = dlk_arrow_schema_copy(field, &f))) return fail(b, rc);
    return push(b, &f);
}

int dlk_schema_builder_finish(dlk_schema_builder *b, struct ArrowSchema *out)
{
    if (!b || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema builder: NULL argument");
    memset(out, 0, sizeof *out);
    int rc;
    if (b->err) {
        rc = dlk_err_set(b->err, "%s", b->err_msg ? b->err_msg : "schema builder: an add failed");
    } else if (b->depth > 1) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "schema: struct '%s' is still open",
                         b->lv[b->depth - 1].name);
    } else if (b->lv[0].n == 0) {
        rc = dlk_err_set(DLK_INVALID_ARGUMENT, "schema: no fields");
    } else {
        rc = level_to_struct(&b->lv[0], "", 0, out);
    }
    reset(b);
    level_clear(&b->lv[0]);
    return rc;
}
