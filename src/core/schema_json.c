/* core/schema_json.c - Delta schemaString <-> Arrow "+s" schema (see
 * core/schema_json.h). */
#include "core/schema_json.h"
#include "arrow/arrow.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *delta, *arrow;
} PRIM[] = {{"string", "u"},   {"long", "l"},       {"integer", "i"},   {"short", "s"},
            {"byte", "c"},     {"float", "f"},      {"double", "g"},    {"boolean", "b"},
            {"binary", "z"},   {"date", "tdD"},     {"timestamp", "tsu:UTC"},
            {"timestamp_ntz", "tsu:"}};

static int from_type(json_t *t, const char *name, int64_t flags, struct ArrowSchema *out, int depth);

static int from_struct(json_t *t, const char *name, int64_t flags, struct ArrowSchema *out, int depth)
{
    json_t *fields = json_object_get(t, "fields");
    if (!json_is_array(fields)) return dlk_err_set(DLK_PARSE, "schemaString: struct without fields");
    size_t n = json_array_size(fields);
    int rc = dlk_arrow_schema_new(out, "+s", name, flags, (int64_t)n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(fields, i);
        const char *fname = json_string_value(json_object_get(f, "name"));
        json_t *ft = json_object_get(f, "type");
        if (!fname || !ft) {
            rc = dlk_err_set(DLK_PARSE, "schemaString: field %zu without name or type", i);
            break;
        }
        json_t *nl = json_object_get(f, "nullable");
        int64_t ff = (!nl || json_is_true(nl)) ? ARROW_FLAG_NULLABLE : 0;
        if ((rc = from_type(ft, fname, ff, out->children[i], depth + 1))) {
            rc = dlk_err_context(rc, "field '%s'", fname);
            break;
        }
    }
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

static int from_type(json_t *t, const char *name, int64_t flags, struct ArrowSchema *out, int depth)
{
    if (depth > 64) return dlk_err_set(DLK_PARSE, "schemaString: nested too deeply");
    if (json_is_string(t)) {
        const char *s = json_string_value(t);
        for (size_t i = 0; i < sizeof PRIM / sizeof PRIM[0]; i++)
            if (!strcmp(s, PRIM[i].delta)) return dlk_arrow_schema_new(out, PRIM[i].arrow, name, flags, 0);
        int p, sc;
        char tail;
        if (sscanf(s, "decimal(%d,%d%c", &p, &sc, &tail) == 3 && tail == ')' && p >= 1 && p <= 38 &&
            sc >= 0 && sc <= p) {
            char fmt[32];
            snprintf(fmt, sizeof fmt, "d:%d,%d", p, sc);
            return dlk_arrow_schema_new(out, fmt, name, flags, 0);
        }
        return dlk_err_set(DLK_UNSUPPORTED, "schemaString: type '%s'", s);
    }
    const char *k = json_string_value(json_object_get(t, "type"));
    if (!k) return dlk_err_set(DLK_PARSE, "schemaString: type object without \"type\"");
    int rc;
    if (!strcmp(k, "struct")) return from_struct(t, name, flags, out, depth);
    if (!strcmp(k, "array")) {
        json_t *cn = json_object_get(t, "containsNull");
        if ((rc = dlk_arrow_schema_new(out, "+l", name, flags, 1))) return rc;
        rc = from_type(json_object_get(t, "elementType"), "element",
                       (!cn || json_is_true(cn)) ? ARROW_FLAG_NULLABLE : 0, out->children[0], depth + 1);
        if (rc) dlk_arrow_schema_release(out);
        return rc;
    }
    if (!strcmp(k, "map")) {
        json_t *vn = json_object_get(t, "valueContainsNull");
        if ((rc = dlk_arrow_schema_new(out, "+m", name, flags, 1))) return rc;
        struct ArrowSchema *e = out->children[0];
        rc = dlk_arrow_schema_new(e, "+s", "entries", 0, 2);
        if (!rc) rc = from_type(json_object_get(t, "keyType"), "key", 0, e->children[0], depth + 1);
        if (!rc)
            rc = from_type(json_object_get(t, "valueType"), "value",
                           (!vn || json_is_true(vn)) ? ARROW_FLAG_NULLABLE : 0, e->children[1], depth + 1);
        if (rc) dlk_arrow_schema_release(out);
        return rc;
    }
    return dlk_err_set(DLK_UNSUPPORTED, "schemaString: type '%s'", k);
}

int dlk_core_schema_from_json(const char *text, size_t n, struct ArrowSchema *out)
{
    json_error_t e;
    json_t *j = json_loadb(text, n, 0, &e);
    if (!j) return dlk_err_set(DLK_PARSE, "schemaString: line %d, column %d: %s", e.line, e.column, e.text);
    int rc;
    const char *k = json_string_value(json_object_get(j, "type"));
    if (!k || strcmp(k, "struct")) rc = dlk_err_set(DLK_PARSE, "schemaString: not a struct type");
    else rc = from_struct(j, "", 0, out, 0);
    json_decref(j);
    return rc;
}

static int to_type(const struct ArrowSchema *s, dlk_buf *b);

static int to_fields(const struct ArrowSchema *s, dlk_buf *b)
{
    int rc = dlk_buf_puts(b, "{\"type\":\"struct\",\"fields\":[");
    for (int64_t i = 0; i < s->n_children && !rc; i++) {
        const struct ArrowSchema *f = s->children[i];
        if (i) rc = dlk_buf_putc(b, ',');
        if (!rc) rc = dlk_buf_puts(b, "{\"name\":");
        if (!rc) rc = dlk_buf_json_str(b, f->name, strlen(f->name));
        if (!rc) rc = dlk_buf_puts(b, ",\"type\":");
        if (!rc) rc = to_type(f, b);
        if (!rc)
            rc = dlk_buf_printf(b, ",\"nullable\":%s,\"metadata\":{}}",
                                (f->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
    }
    return rc ? rc : dlk_buf_puts(b, "]}");
}

static int to_type(const struct ArrowSchema *s, dlk_buf *b)
{
    const char *f = s->format;
    for (size_t i = 0; i < sizeof PRIM / sizeof PRIM[0]; i++)
        if (!strcmp(f, PRIM[i].arrow)) return dlk_buf_printf(b, "\"%s\"", PRIM[i].delta);
    if (!strncmp(f, "d:", 2)) return dlk_buf_printf(b, "\"decimal(%s)\"", f + 2);
    int rc;
    if (!strcmp(f, "+s")) return to_fields(s, b);
    if (!strcmp(f, "+l") && s->n_children == 1) {
        if ((rc = dlk_buf_puts(b, "{\"type\":\"array\",\"elementType\":"))) return rc;
        if ((rc = to_type(s->children[0], b))) return rc;
        return dlk_buf_printf(b, ",\"containsNull\":%s}",
                              (s->children[0]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
    }
    if (!strcmp(f, "+m") && s->n_children == 1 && s->children[0]->n_children == 2) {
        const struct ArrowSchema *e = s->children[0];
        if ((rc = dlk_buf_puts(b, "{\"type\":\"map\",\"keyType\":"))) return rc;
        if ((rc = to_type(e->children[0], b))) return rc;
        if ((rc = dlk_buf_puts(b, ",\"valueType\":"))) return rc;
        if ((rc = to_type(e->children[1], b))) return rc;
        return dlk_buf_printf(b, ",\"valueContainsNull\":%s}",
                              (e->children[1]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
    }
    return dlk_err_set(DLK_UNSUPPORTED, "schema: Arrow type '%s' of column '%s' has no Delta type", f,
                       s->name ? s->name : "");
}

int dlk_core_schema_to_json(const struct ArrowSchema *s, dlk_buf *b)
{
    if (strcmp(s->format, "+s")) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema: not a struct");
    return to_fields(s, b);
}
