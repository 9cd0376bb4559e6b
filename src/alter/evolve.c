/*
 * alter/evolve.c - explicit schema evolution of a table
 * (dlk_table_update_schema / _add_columns / _add_column, alter.h): the
 * requested schema is compared with the table's, field by field; new
 * nullable columns, NOT NULL -> nullable and the protocol's type widenings
 * are allowed, anything else is DLK_SCHEMA_MISMATCH. The change is one
 * commit of metaData (+ protocol when a table feature is needed:
 * typeWidening, timestampNtz).
 *
 * Type widening (the Delta protocol "Type Widening"): the widened field's Delta
 * metadata gets "delta.typeChanges": [{"fromType": ..., "toType": ...}];
 * old data files keep their narrow types and the scan widens them.
 */
#define _POSIX_C_SOURCE 200809L
#include "alter/alter_int.h"
#include "arrow/arrow.h"
#include "core/protocol.h"
#include "core/schema.h"
#include "core/schema_ddl.h"
#include "core/txn.h"
#include "core/colmap.h"
#include "write/write.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct evo {
    bool allow_nullable;
    bool changed, added, widened, ntz;
    const char **part; /* partition columns */
    size_t n_part;
} evo;

static char *type_name(const struct ArrowSchema *s)
{
    dlk_buf b = {0};
    if (dlk_core_type_name(s, &b)) {
        dlk_buf_free(&b);
        return NULL;
    }
    char *r = dlk_strdup(dlk_buf_cstr(&b));
    dlk_buf_free(&b);
    return r;
}

static int mismatch(const struct ArrowSchema *want, const struct ArrowSchema *got, const char *path,
                    const char *why)
{
    char *e = want ? type_name(want) : NULL, *a = got ? type_name(got) : NULL;
    int rc = dlk_err_schema_mismatch(e ? e : "(no column)", a ? a : "(no column)",
                                     "column '%s': %s (table: %s, requested: %s)", path, why,
                                     e ? e : "(none)", a ? a : "(none)");
    dlk_free(e);
    dlk_free(a);
    return rc;
}

static bool is_int(const char *f)
{
    return f[1] == 0 && strchr("csil", f[0]);
}
static int int_rank(const char *f)
{
    return f[0] == 'c' ? 0 : f[0] == 's' ? 1 : f[0] == 'i' ? 2 : 3;
}

/* Is old -> new a widening the protocol allows? */
static bool widening_ok(const char *o, const char *n)
{
    unsigned op, os, np, ns;
    if (is_int(o) && is_int(n)) return int_rank(n) > int_rank(o);
    if (!strcmp(o, "f") && !strcmp(n, "g")) return true;
    if (is_int(o) && int_rank(o) <= 2 && !strcmp(n, "g")) return true;
    if (!strcmp(o, "tdD") && !strcmp(n, "tsu:")) return true;
    if (sscanf(o, "d:%u,%u", &op, &os) == 2 && sscanf(n, "d:%u,%u", &np, &ns) == 2)
        return ns >= os && np - ns >= op - os && (np != op || ns != os);
    if (is_int(o) && sscanf(n, "d:%u,%u", &np, &ns) == 2) {
        unsigned digits = int_rank(o) <= 2 ? 10 : 20; /* integer digits the decimal must keep */
        return np - ns >= digits;
    }
    return false;
}

/* Copy the old field's Delta metadata to nf, adding a typeChanges entry when widened. */
static int carry_metadata(const struct ArrowSchema *of, struct ArrowSchema *nf, bool widened)
{
    const char *v;
    size_t vl;
    json_t *meta = NULL;
    if (of->metadata && dlk_arrow_metadata_get(of->metadata, DLK_MD_DELTA, &v, &vl))
        meta = json_loadb(v, vl, 0, NULL);
    if (!meta && !widened) return DLK_OK;
    if (!meta) meta = json_object();
    if (!meta) return dlk_err_nomem();
    if (widened) {
        char *from = type_name(of), *to = type_name(nf);
        json_t *tc = json_object_get(meta, "delta.typeChanges");
        if (!json_is_array(tc)) {
            tc = json_array();
            json_object_set_new(meta, "delta.typeChanges", tc);
        }
        /* protocol names: "integer" for int */
        json_array_append_new(tc, json_pack("{s:s,s:s}", "fromType",
                                            from && !strcmp(from, "int") ? "integer"
                                            : from                       ? from
                                                                         : "",
                                            "toType",
                                            to && !strcmp(to, "int") ? "integer"
                                            : to                     ? to
                                                                     : ""));
        dlk_free(from);
        dlk_free(to);
    }
    char *text = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
    const char *keys[3] = {DLK_MD_DELTA}, *vals[3] = {text};
    size_t n = 1;
    json_t *pn = json_object_get(meta, DLK_MD_PHYSICAL_NAME);
    if (json_is_string(pn)) keys[n] = DLK_MD_PHYSICAL_NAME, vals[n++] = json_string_value(pn);
    char idb[32];
    json_t *id = json_object_get(meta, "delta.columnMapping.id");
    if (json_is_integer(id)) {
        snprintf(idb, sizeof idb, "%" PRId64, (int64_t)json_integer_value(id));
        keys[n] = DLK_MD_FIELD_ID, vals[n++] = idb;
    }
    int rc = text ? dlk_arrow_schema_set_metadata(nf, keys, vals, n) : dlk_err_nomem();
    free(text);
    json_decref(meta);
    return rc;
}

static bool has_ntz(const struct ArrowSchema *s)
{
    if (!strcmp(s->format, "tsu:")) return true;
    for (int64_t i = 0; i < s->n_children; i++)
        if (has_ntz(s->children[i])) return true;
    return false;
}

static int compare_field(evo *e, const struct ArrowSchema *of, struct ArrowSchema *nf,
                         const char *path, int depth);

/* old struct vs new struct (new is modified: metadata carried over). */
static int compare_struct(evo *e, const struct ArrowSchema *os, struct ArrowSchema *ns,
                          const char *prefix, int depth)
{
    int rc = DLK_OK;
    for (int64_t i = 0; i < os->n_children && !rc; i++) {
        const struct ArrowSchema *of = os->children[i];
        dlk_buf p = {0};
        dlk_buf_printf(&p, "%s%s%s", prefix, prefix[0] ? "." : "", of->name);
        int64_t j = dlk_arrow_schema_find(ns, of->name);
        if (j < 0)
            rc = mismatch(of, NULL, dlk_buf_cstr(&p),
                          "missing from the new schema (use dlk_table_drop_column to drop "
                          "a column)");
        else
            rc = compare_field(e, of, ns->children[j], dlk_buf_cstr(&p), depth);
        dlk_buf_free(&p);
    }
    for (int64_t j = 0; j < ns->n_children && !rc; j++) {
        struct ArrowSchema *nf = ns->children[j];
        if (dlk_arrow_schema_find(os, nf->name) >= 0) continue;
        for (int64_t i = 0; i < os->n_children; i++)
            if (dlk_str_ieq(os->children[i]->name, nf->name))
                return dlk_err_set(DLK_SCHEMA_MISMATCH,
                                   "column '%s': differs from the existing '%s' only by case",
                                   nf->name, os->children[i]->name);
        dlk_buf p = {0};
        dlk_buf_printf(&p, "%s%s%s", prefix, prefix[0] ? "." : "", nf->name);
        if (!(nf->flags & ARROW_FLAG_NULLABLE))
            rc = dlk_err_schema_mismatch(
                "nullable", "not null",
                "column '%s': a new column must be nullable (existing rows have no value)",
                dlk_buf_cstr(&p));
        else if (!e->allow_nullable)
            rc = dlk_err_schema_mismatch(
                "no new columns", "nullable",
                "column '%s': new columns are nullable, but allow_nullable is false",
                dlk_buf_cstr(&p));
        e->changed = e->added = true;
        if (has_ntz(nf)) e->ntz = true;
        dlk_buf_free(&p);
    }
    return rc;
}

static int compare_field(evo *e, const struct ArrowSchema *of, struct ArrowSchema *nf,
                         const char *path, int depth)
{
    if (depth > 64)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "schema nested too deeply at '%s'", path);
    bool on = of->flags & ARROW_FLAG_NULLABLE, nn = nf->flags & ARROW_FLAG_NULLABLE;
    if (on && !nn) return mismatch(of, nf, path, "a nullable column cannot become NOT NULL");
    if (!on && nn) e->changed = true;
    int rc = DLK_OK;
    bool widened = false;
    if (strcmp(of->format, nf->format)) {
        if (!widening_ok(of->format, nf->format))
            return mismatch(of, nf, path,
                            "type change not allowed (only the protocol's type widenings are)");
        if (depth == 0)
            for (size_t k = 0; k < e->n_part; k++)
                if (!strcmp(e->part[k], of->name))
                    return dlk_err_set(DLK_UNSUPPORTED,
                                       "column '%s': type widening of a partition column", path);
        widened = e->widened = e->changed = true;
        if (!strcmp(nf->format, "tsu:")) e->ntz = true;
    } else if (!strcmp(of->format, "+s")) {
        rc = compare_struct(e, of, nf, path, depth + 1);
    } else if (of->n_children) {
        /* arrays and maps: the same element types (nullability may relax) */
        char *a = type_name(of), *b = type_name(nf);
        if (!a || !b || strcmp(a, b))
            rc = mismatch(of, nf, path,
                          "element, key or value types of arrays and maps cannot change");
        dlk_free(a);
        dlk_free(b);
    }
    if (!rc) rc = carry_metadata(of, nf, widened);
    return rc;
}

int dlk_table_update_schema(const char *table, const struct ArrowSchema *schema,
                            const dlk_alter_options *opts, int64_t *version)
{
    if (version) *version = -1;
    if (opts && opts->version != 1)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "update_schema: unknown options version %d",
                           opts->version);
    if (!table || !schema || !schema->format || strcmp(schema->format, "+s") ||
        schema->n_children == 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "update_schema: a non-empty struct schema is needed");
    dlk_txn_state st;
    int rc = dlk_core__state_load(table, false, false, &st);
    if (rc) return rc;
    struct ArrowSchema ns = {0};
    json_t *params = NULL;
    dlk_arena arena = {0};
    dlk_metadata_action md;
    dlk_buf commit = {0};
    evo e = {0};
    e.allow_nullable = opts ? opts->allow_nullable : true;
    e.part = st.partition_cols;
    e.n_part = st.n_part;
    if ((rc = dlk_core__check_writable(&st))) goto out;
    if ((rc = dlk_arrow_schema_copy(schema, &ns))) goto out;
    if ((rc = compare_struct(&e, &st.schema, &ns, "", 0))) goto out;
    if (!e.changed) {
        if (version) *version = st.version;
        goto out;
    }
    const char *feats[2];
    size_t nfeat = 0;
    if (e.widened) feats[nfeat++] = "typeWidening";
    if (e.ntz && !has_ntz(&st.schema)) feats[nfeat++] = "timestampNtz";
    char max_id[32] = "";
    if (e.added && dlk_ops__cm_mode(&st) > 0) /* column mapping: new columns get ids */
        if ((rc = dlk_alter__cm_assign_new(&st, &ns, max_id))) goto out;
    if ((rc = dlk_core_schema_to_json(&ns, &commit))) goto out;
    rc = dlk_log_metadata_derive(&arena, st.metadata, dlk_buf_cstr(&commit), NULL, 0, &md);
    dlk_buf_reset(&commit);
    if (!rc && *max_id)
        rc = dlk_log_kvs_set(&arena, &md.configuration, "delta.columnMapping.maxColumnId", max_id);
    if (rc) goto out;
    const char *op = e.widened ? "CHANGE COLUMN" : e.added ? "ADD COLUMNS" : "CHANGE COLUMN";
    params = json_object();
    char *s = NULL;
    dlk_core_type_name(&ns, &commit);
    s = dlk_strdup(dlk_buf_cstr(&commit));
    dlk_buf_reset(&commit);
    json_object_set_new(params, "schema", json_string(s ? s : ""));
    dlk_free(s);
    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = st.version;
    req.state = &st;
    req.operation = op;
    req.params = params;
    req.features = feats;
    req.n_features = nfeat;
    req.metadata = &md;
    req.max_attempts = 1;
    dlk_commit_res cres;
    rc = dlk_core__commit(&req, &cres);
    if (!rc && version) *version = cres.version;
out:
    if (rc) rc = dlk_err_context(rc, "%s: update_schema", table);
    json_decref(params);
    dlk_arena_free(&arena);
    dlk_buf_free(&commit);
    dlk_arrow_schema_release(&ns);
    dlk_core__state_free(&st);
    return rc;
}

/* "`name` type" through the DDL parser (core/schema_ddl.h) into a "+s" of
 * one nullable field, as the schema builder parses a field. */
static int parse_column(const char *name, const char *type, struct ArrowSchema *out)
{
    dlk_buf t = {0};
    int rc = dlk_buf_putc(&t, '`');
    for (const char *c = name; *c && !rc; c++)
        rc = *c == '`' ? dlk_buf_puts(&t, "``") : dlk_buf_putc(&t, *c);
    if (!rc) rc = dlk_buf_printf(&t, "` %s", type);
    if (!rc) rc = dlk_core_schema_ddl_parse(dlk_buf_cstr(&t), out);
    dlk_buf_free(&t);
    if (!rc && out->n_children != 1)
        rc = dlk_err_set(DLK_PARSE, "schema: field '%s': '%s' is not one type", name, type);
    if (rc) {
        dlk_arrow_schema_release(out);
        return dlk_err_context(rc, "field '%s'", name);
    }
    return DLK_OK;
}

/* The table's schema with the fields of cols appended, then update_schema.
 * cols NULL: the one column name/type is parsed (after the existence check). */
static int add_columns(const char *table, const struct ArrowSchema *cols, const char *name,
                       const char *type, const dlk_alter_options *opts, int64_t *version,
                       const char *what)
{
    dlk_txn_state st; /* the write path's view: object stores are refused here */
    int rc = dlk_core__state_load(table, false, false, &st);
    if (rc) return rc;
    const struct ArrowSchema *cur = &st.schema;
    struct ArrowSchema one = {0}, ns = {0};
    int64_t n_new = cols ? cols->n_children : 1;
    for (int64_t j = 0; j < n_new && !rc; j++) {
        const char *nm = cols ? cols->children[j]->name : name;
        for (int64_t i = 0; i < cur->n_children && !rc; i++)
            if (dlk_str_ieq(cur->children[i]->name, nm))
                rc = dlk_err_set(DLK_ALREADY_EXISTS, "%s: %s already has a column '%s'", what,
                                 table, cur->children[i]->name);
        for (int64_t k = 0; k < j && !rc; k++)
            if (dlk_str_ieq(cols->children[k]->name, nm))
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "%s: column '%s' given twice", what, nm);
    }
    if (!rc && !cols && !(rc = parse_column(name, type, &one))) cols = &one;
    if (!rc) rc = dlk_arrow_schema_new(&ns, "+s", "", 0, cur->n_children + n_new);
    for (int64_t i = 0; i < cur->n_children + n_new && !rc; i++) {
        dlk_arrow_schema_release(ns.children[i]);
        rc = dlk_arrow_schema_copy(i < cur->n_children ? cur->children[i]
                                                       : cols->children[i - cur->n_children],
                                   ns.children[i]);
    }
    dlk_core__state_free(&st);
    if (!rc) rc = dlk_table_update_schema(table, &ns, opts, version);
    dlk_arrow_schema_release(&ns);
    dlk_arrow_schema_release(&one);
    return rc;
}

int dlk_table_add_columns(const char *table, const struct ArrowSchema *columns,
                          const dlk_alter_options *opts, int64_t *version)
{
    if (version) *version = -1;
    if (!table || !columns || !columns->format || strcmp(columns->format, "+s") ||
        columns->n_children == 0)
        return dlk_err_set(DLK_INVALID_ARGUMENT,
                           "add_columns: a table and a non-empty struct of columns are needed");
    for (int64_t j = 0; j < columns->n_children; j++)
        if (!columns->children[j]->name || !columns->children[j]->name[0])
            return dlk_err_set(DLK_INVALID_ARGUMENT, "add_columns: a column has no name");
    return add_columns(table, columns, NULL, NULL, opts, version, "add_columns");
}

int dlk_table_add_column(const char *table, const char *name, const char *type,
                         const dlk_alter_options *opts, int64_t *version)
{
    if (version) *version = -1;
    if (!table || !name || !name[0] || !type || !type[0])
        return dlk_err_set(DLK_INVALID_ARGUMENT, "add_column: name and type needed");
    return add_columns(table, NULL, name, type, opts, version, "add_column");
}
