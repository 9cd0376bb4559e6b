/*
 * core/schema.c - Delta schemaString JSON <-> Arrow schema (see schema.h).
 */
#include "core/schema.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int type_from_json(json_t *t, const char *name, bool nullable, json_t *meta,
                          struct ArrowSchema *out, const char *path, int depth);

static int bad(const char *path, const char *what)
{
    return dlk_err_set(DLK_CORRUPT, "schema: field '%s': %s", path, what);
}

static int set_field_metadata(struct ArrowSchema *s, json_t *meta, const char *path)
{
    if (!meta || json_is_null(meta)) return DLK_OK;
    if (!json_is_object(meta)) return bad(path, "metadata is not an object");
    if (json_object_size(meta) == 0) return DLK_OK;
    const char *keys[3], *vals[3];
    size_t n = 0;
    char *text = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text) return dlk_err_nomem();
    keys[n] = DLK_MD_DELTA;
    vals[n++] = text;
    json_t *pn = json_object_get(meta, DLK_MD_PHYSICAL_NAME);
    if (pn && json_is_string(pn)) {
        keys[n] = DLK_MD_PHYSICAL_NAME;
        vals[n++] = json_string_value(pn);
    }
    char idbuf[32];
    json_t *id = json_object_get(meta, "delta.columnMapping.id");
    if (id && json_is_integer(id)) {
        snprintf(idbuf, sizeof idbuf, "%lld", (long long)json_integer_value(id));
        keys[n] = DLK_MD_FIELD_ID;
        vals[n++] = idbuf;
    }
    int rc = dlk_arrow_schema_set_metadata(s, keys, vals, n);
    free(text);
    return rc;
}

static int struct_from_json(json_t *t, const char *name, bool nullable, json_t *meta,
                            struct ArrowSchema *out, const char *path, int depth)
{
    json_t *fields = json_object_get(t, "fields");
    if (!fields || !json_is_array(fields)) return bad(path, "struct without a fields array");
    size_t n = json_array_size(fields);
    int rc = dlk_arrow_schema_new(out, "+s", name, nullable ? ARROW_FLAG_NULLABLE : 0, (int64_t)n);
    if (rc) return rc;
    if ((rc = set_field_metadata(out, meta, path))) goto fail;
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_array_get(fields, i);
        json_t *fn = json_object_get(f, "name");
        if (!json_is_object(f) || !fn || !json_is_string(fn)) {
            rc = bad(path, "a struct field has no name");
            goto fail;
        }
        const char *fname = json_string_value(fn);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(out->children[j]->name, fname) == 0) {
                dlk_buf m = {0};
                dlk_buf_printf(&m, "duplicate field name '%s'", fname);
                rc = bad(path[0] ? path : "<root>", dlk_buf_cstr(&m));
                dlk_buf_free(&m);
                goto fail;
            }
        }
        json_t *nl = json_object_get(f, "nullable");
        bool fnull = !nl || json_is_null(nl) ? true : json_is_true(nl);
        dlk_buf sub = {0};
        if (path[0])
            dlk_buf_printf(&sub, "%s.%s", path, fname);
        else
            dlk_buf_puts(&sub, fname);
        rc =
            type_from_json(json_object_get(f, "type"), fname, fnull, json_object_get(f, "metadata"),
                           out->children[i], dlk_buf_cstr(&sub), depth + 1);
        dlk_buf_free(&sub);
        if (rc) goto fail;
    }
    return DLK_OK;
fail:
    dlk_arrow_schema_release(out);
    return rc;
}

static int prim_format(const char *t, char *fmt, size_t cap)
{
    static const char *const map[][2] = {
        {"string", "u"}, {"long", "l"},   {"integer", "i"},         {"short", "s"},
        {"byte", "c"},   {"float", "f"},  {"double", "g"},          {"boolean", "b"},
        {"binary", "z"}, {"date", "tdD"}, {"timestamp", "tsu:UTC"}, {"timestamp_ntz", "tsu:"},
        {"void", "n"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        if (strcmp(t, map[i][0]) == 0) {
            snprintf(fmt, cap, "%s", map[i][1]);
            return 1;
        }
    }
    unsigned p, s;
    char tail;
    if (sscanf(t, "decimal(%u,%u%c", &p, &s, &tail) == 3 && tail == ')') {
        snprintf(fmt, cap, "d:%u,%u", p, s);
        return p >= 1 && p <= 38 && s <= p ? 1 : -1;
    }
    if (sscanf(t, "decimal(%u, %u%c", &p, &s, &tail) == 3 && tail == ')') {
        snprintf(fmt, cap, "d:%u,%u", p, s);
        return p >= 1 && p <= 38 && s <= p ? 1 : -1;
    }
    if (strcmp(t, "decimal") == 0) {
        snprintf(fmt, cap, "d:10,0");
        return 1;
    }
    return 0;
}

static int type_from_json(json_t *t, const char *name, bool nullable, json_t *meta,
                          struct ArrowSchema *out, const char *path, int depth)
{
    if (depth > 64) return bad(path, "nesting too deep");
    int64_t flags = nullable ? ARROW_FLAG_NULLABLE : 0;
    int rc;
    if (!t) return bad(path, "missing type");
    if (json_is_string(t)) {
        char fmt[32];
        const char *ts = json_string_value(t);
        int ok = prim_format(ts, fmt, sizeof fmt);
        if (ok < 0) return bad(path, "decimal precision/scale out of range");
        if (ok == 0) {
            if (strcmp(ts, "variant") == 0)
                return dlk_err_set(DLK_UNSUPPORTED,
                                   "schema: field '%s': type variant is not supported", path);
            return dlk_err_set(DLK_CORRUPT, "schema: field '%s': unknown type '%s'", path, ts);
        }
        if ((rc = dlk_arrow_schema_new(out, fmt, name, flags, 0))) return rc;
        if ((rc = set_field_metadata(out, meta, path))) dlk_arrow_schema_release(out);
        return rc;
    }
    if (!json_is_object(t)) return bad(path, "type is neither a string nor an object");
    json_t *kind = json_object_get(t, "type");
    const char *k = kind && json_is_string(kind) ? json_string_value(kind) : "";
    if (strcmp(k, "struct") == 0)
        return struct_from_json(t, name, nullable, meta, out, path, depth);
    if (strcmp(k, "array") == 0) {
        json_t *cn = json_object_get(t, "containsNull");
        if ((rc = dlk_arrow_schema_new(out, "+l", name, flags, 1))) return rc;
        if (!(rc = set_field_metadata(out, meta, path)))
            rc = type_from_json(json_object_get(t, "elementType"), "element",
                                !cn || json_is_true(cn), NULL, out->children[0], path, depth + 1);
        if (rc) dlk_arrow_schema_release(out);
        return rc;
    }
    if (strcmp(k, "map") == 0) {
        json_t *vn = json_object_get(t, "valueContainsNull");
        if ((rc = dlk_arrow_schema_new(out, "+m", name, flags, 1))) return rc;
        if (!(rc = set_field_metadata(out, meta, path)) &&
            !(rc = dlk_arrow_schema_new(out->children[0], "+s", "entries", 0, 2)) &&
            !(rc = type_from_json(json_object_get(t, "keyType"), "key", false, NULL,
                                  out->children[0]->children[0], path, depth + 1)))
            rc = type_from_json(json_object_get(t, "valueType"), "value", !vn || json_is_true(vn),
                                NULL, out->children[0]->children[1], path, depth + 1);
        if (rc) dlk_arrow_schema_release(out);
        return rc;
    }
    return dlk_err_set(DLK_CORRUPT, "schema: field '%s': unknown type '%s'", path, k);
}

int dlk_core_schema_from_json(const char *text, struct ArrowSchema *out)
{
    memset(out, 0, sizeof *out);
    if (!text) return dlk_err_set(DLK_CORRUPT, "schema: schemaString missing");
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root)
        return dlk_err_set(DLK_CORRUPT, "schema: invalid JSON at line %d column %d: %s", je.line,
                           je.column, je.text);
    int rc;
    json_t *k = json_object_get(root, "type");
    if (!k || !json_is_string(k) || strcmp(json_string_value(k), "struct") != 0)
        rc = dlk_err_set(DLK_CORRUPT, "schema: top-level type is not a struct");
    else
        rc = struct_from_json(root, "", false, NULL, out, "", 0);
    json_decref(root);
    return rc;
}

/* ---- Arrow -> schemaString ---- */

static int type_to_json(const struct ArrowSchema *s, dlk_buf *b, int depth);

static int metadata_to_json(const struct ArrowSchema *s, dlk_buf *b)
{
    const char *v;
    size_t n;
    if (dlk_arrow_metadata_get(s->metadata, DLK_MD_DELTA, &v, &n)) return dlk_buf_append(b, v, n);
    return dlk_buf_puts(b, "{}");
}

static int struct_to_json(const struct ArrowSchema *s, dlk_buf *b, int depth)
{
    int rc = dlk_buf_puts(b, "{\"type\":\"struct\",\"fields\":[");
    for (int64_t i = 0; i < s->n_children && !rc; i++) {
        const struct ArrowSchema *f = s->children[i];
        if (i) rc = dlk_buf_putc(b, ',');
        if (!rc) rc = dlk_buf_puts(b, "{\"name\":");
        if (!rc) rc = dlk_buf_json_str(b, f->name ? f->name : "", f->name ? strlen(f->name) : 0);
        if (!rc) rc = dlk_buf_puts(b, ",\"type\":");
        if (!rc) rc = type_to_json(f, b, depth + 1);
        if (!rc)
            rc = dlk_buf_printf(b, ",\"nullable\":%s,\"metadata\":",
                                (f->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
        if (!rc) rc = metadata_to_json(f, b);
        if (!rc) rc = dlk_buf_putc(b, '}');
    }
    if (!rc) rc = dlk_buf_puts(b, "]}");
    return rc;
}

static int type_to_json(const struct ArrowSchema *s, dlk_buf *b, int depth)
{
    const char *f = s->format;
    if (depth > 64) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema: nesting too deep");
    static const char *const map[][2] = {
        {"u", "string"}, {"l", "long"},   {"i", "integer"},         {"s", "short"},
        {"c", "byte"},   {"f", "float"},  {"g", "double"},          {"b", "boolean"},
        {"z", "binary"}, {"tdD", "date"}, {"tsu:UTC", "timestamp"}, {"tsu:", "timestamp_ntz"},
        {"n", "void"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(f, map[i][0]) == 0) return dlk_buf_printf(b, "\"%s\"", map[i][1]);
    if (dlk_str_starts_with(f, "tsu:") || dlk_str_starts_with(f, "tsm:") ||
        dlk_str_starts_with(f, "tsn:"))
        return dlk_buf_puts(b, f[4] ? "\"timestamp\"" : "\"timestamp_ntz\"");
    unsigned p, sc;
    if (sscanf(f, "d:%u,%u", &p, &sc) == 2) return dlk_buf_printf(b, "\"decimal(%u,%u)\"", p, sc);
    if (strcmp(f, "+s") == 0) return struct_to_json(s, b, depth);
    if (strcmp(f, "+l") == 0 && s->n_children == 1) {
        int rc = dlk_buf_puts(b, "{\"type\":\"array\",\"elementType\":");
        if (!rc) rc = type_to_json(s->children[0], b, depth + 1);
        if (!rc)
            rc = dlk_buf_printf(b, ",\"containsNull\":%s}",
                                (s->children[0]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
        return rc;
    }
    if (strcmp(f, "+m") == 0 && s->n_children == 1 && s->children[0]->n_children == 2) {
        const struct ArrowSchema *e = s->children[0];
        int rc = dlk_buf_puts(b, "{\"type\":\"map\",\"keyType\":");
        if (!rc) rc = type_to_json(e->children[0], b, depth + 1);
        if (!rc) rc = dlk_buf_puts(b, ",\"valueType\":");
        if (!rc) rc = type_to_json(e->children[1], b, depth + 1);
        if (!rc)
            rc = dlk_buf_printf(b, ",\"valueContainsNull\":%s}",
                                (e->children[1]->flags & ARROW_FLAG_NULLABLE) ? "true" : "false");
        return rc;
    }
    return dlk_err_set(DLK_UNSUPPORTED, "schema: field '%s': Arrow type '%s' has no Delta type",
                       s->name ? s->name : "", f);
}

int dlk_core_schema_to_json(const struct ArrowSchema *schema, dlk_buf *b)
{
    if (!schema || strcmp(schema->format, "+s") != 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "schema: top level must be a struct (+s)");
    return struct_to_json(schema, b, 0);
}

const char *dlk_core_field_physical_name(const struct ArrowSchema *field, char *out, size_t cap)
{
    const char *v;
    size_t n;
    if (dlk_arrow_metadata_get(field->metadata, DLK_MD_PHYSICAL_NAME, &v, &n) && n < cap) {
        memcpy(out, v, n);
        out[n] = 0;
        return out;
    }
    return field->name;
}

int64_t dlk_core_field_id(const struct ArrowSchema *field)
{
    const char *v;
    size_t n;
    char tmp[32];
    if (!dlk_arrow_metadata_get(field->metadata, DLK_MD_FIELD_ID, &v, &n) || n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = 0;
    int64_t id;
    return dlk_parse_i64(tmp, &id) == 0 ? id : -1;
}
