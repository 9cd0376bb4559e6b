/*
 * alter/column_mapping.c - schema changes through Delta column mapping
 * (alter.h): enabling mapping on a table, renaming and dropping
 * columns. Each is one commit of metaData (+ protocol when enabling):
 *
 *  - enable: mode "name", every field gets delta.columnMapping.id and
 *    physicalName = its current name (the existing files already use those
 *    names, so they keep reading), maxColumnId set, protocol gains the
 *    columnMapping table feature (reader 3 / writer 7).
 *  - rename: only the logical name changes (files keep their physical
 *    names); partitionColumns follows a renamed partition column.
 *  - drop: the field leaves the schema; the data stays in the files and is
 *    no longer read. The id is never reused (maxColumnId).
 */
#define _POSIX_C_SOURCE 200809L
#include "alter/alter_int.h"
#include "arrow/arrow.h"
#include "core/protocol.h"
#include "core/schema.h"
#include "core/txn.h"
#include "core/colmap.h"
#include "write/write.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

int dlk_alter__cm_assign_new(const dlk_txn_state *st, struct ArrowSchema *ns, char max_id[32])
{
    int64_t mx = 0;
    const char *ms = dlk_core__state_config(st, "delta.columnMapping.maxColumnId");
    if (ms) dlk_parse_i64(ms, &mx);
    if (dlk_ops__cm_max_id(ns) > mx) mx = dlk_ops__cm_max_id(ns);
    if (dlk_ops__cm_max_id(&st->schema) > mx) mx = dlk_ops__cm_max_id(&st->schema);
    int rc = dlk_ops__cm_assign(ns, &mx, false);
    if (!rc) snprintf(max_id, 32, "%" PRId64, mx);
    return rc;
}

/* Copy of field s named `name` (children and metadata kept). */
static int copy_named(const struct ArrowSchema *s, const char *name, struct ArrowSchema *out)
{
    int rc = dlk_arrow_schema_new(out, s->format, name, s->flags, s->n_children);
    if (!rc && s->metadata) rc = dlk_arrow_schema_set_metadata_raw(out, s->metadata);
    for (int64_t i = 0; i < s->n_children && !rc; i++) {
        dlk_arrow_schema_release(out->children[i]);
        rc = dlk_arrow_schema_copy(s->children[i], out->children[i]);
    }
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

#define MAX_PATH 32

/* Resolve col: a top-level column of that exact name, else a dotted path
 * through struct fields ("a.b": field b of struct a). idx gets the child
 * index at each level; returns the depth (0: not found). */
static size_t resolve(const struct ArrowSchema *s, const char *col, int64_t *idx)
{
    int64_t i = dlk_arrow_schema_find(s, col);
    if (i >= 0) {
        idx[0] = i;
        return 1;
    }
    size_t n = 0;
    const char *p = col;
    const struct ArrowSchema *cur = s;
    while (n < MAX_PATH) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char seg[512];
        if (len == 0 || len >= sizeof seg || strcmp(cur->format, "+s")) return 0;
        memcpy(seg, p, len);
        seg[len] = 0;
        if ((i = dlk_arrow_schema_find(cur, seg)) < 0) return 0;
        idx[n++] = i;
        cur = cur->children[i];
        if (!dot) return n;
        p = dot + 1;
    }
    return 0;
}

/* Copy of struct s named `name` with the field at idx[0..n) renamed to `to`
 * (op 1) or left out (op 2). */
static int rewrite(const struct ArrowSchema *s, const char *name, const int64_t *idx, size_t n,
                   int op, const char *to, struct ArrowSchema *out)
{
    int rc =
        dlk_arrow_schema_new(out, s->format, name, s->flags, s->n_children - (n == 1 && op == 2));
    if (!rc && s->metadata) rc = dlk_arrow_schema_set_metadata_raw(out, s->metadata);
    for (int64_t i = 0, j = 0; i < s->n_children && !rc; i++) {
        const struct ArrowSchema *c = s->children[i];
        bool hit = i == idx[0];
        if (hit && n == 1 && op == 2) continue;
        dlk_arrow_schema_release(out->children[j]);
        if (hit && n > 1)
            rc = rewrite(c, c->name, idx + 1, n - 1, op, to, out->children[j++]);
        else
            rc = copy_named(c, hit ? to : c->name, out->children[j++]);
    }
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

/* Configuration entries a change sets. */
typedef struct {
    const char *key[2];
    char value[2][32];
    size_t n;
} conf_set;

/* One metaData (+ protocol) commit of schema ns / partition columns pc
 * (NULL: the table's) / configuration changes cs, keeping the table's id,
 * name, description (log builders). */
static int commit_md(const char *table, const dlk_txn_state *st, const struct ArrowSchema *ns,
                     const char *const *pc, const conf_set *cs, bool map_columns, const char *op,
                     json_t *params, int64_t *version)
{
    dlk_arena a = {0};
    dlk_metadata_action md;
    dlk_buf ss = {0};
    int rc = dlk_core_schema_to_json(ns, &ss);
    if (!rc)
        rc = dlk_log_metadata_derive(&a, st->metadata, dlk_buf_cstr(&ss), pc, pc ? st->n_part : 0,
                                     &md);
    for (size_t i = 0; !rc && i < cs->n; i++)
        rc = dlk_log_kvs_set(&a, &md.configuration, cs->key[i], cs->value[i]);
    dlk_buf_free(&ss);
    static const char *const cm_feature[] = {"columnMapping"};
    dlk_commit_req req = {0};
    req.root = table;
    req.read_version = st->version;
    req.state = st;
    req.operation = op;
    req.params = params;
    req.features = cm_feature;
    req.n_features = map_columns ? 1 : 0;
    req.metadata = &md;
    req.max_attempts = 1;
    dlk_commit_res cres;
    if (!rc) rc = dlk_core__commit(&req, &cres);
    dlk_arena_free(&a);
    if (!rc && version) *version = cres.version;
    return rc;
}

/* The table with mapping enabled: schema with ids in *ns, the
 * configuration changes in *cs, *enable when mapping gets switched on (the
 * columnMapping feature joins the protocol); a table already mapped gets a
 * copy of its schema. */
static int mapped_view(const dlk_txn_state *st, struct ArrowSchema *ns, conf_set *cs, bool *enable)
{
    memset(cs, 0, sizeof *cs);
    *enable = false;
    int rc = dlk_arrow_schema_copy(&st->schema, ns);
    if (rc || dlk_ops__cm_mode(st) > 0) return rc;
    int64_t mx = dlk_ops__cm_max_id(&st->schema);
    if ((rc = dlk_ops__cm_assign(ns, &mx, true))) return rc;
    cs->key[0] = "delta.columnMapping.mode";
    snprintf(cs->value[0], sizeof cs->value[0], "name");
    cs->key[1] = "delta.columnMapping.maxColumnId";
    snprintf(cs->value[1], sizeof cs->value[1], "%" PRId64, mx);
    cs->n = 2;
    *enable = true;
    return DLK_OK;
}

/* Shared body: op 0 enable, 1 rename, 2 drop. */
static int change(const char *table, int op, const char *col, const char *to, int64_t *version)
{
    static const char *const what[] = {"enable_column_mapping", "rename_column", "drop_column"};
    dlk_txn_state st;
    int rc = dlk_core__state_load(table, false, false, &st);
    if (rc) return dlk_err_context(rc, "%s: %s", table, what[op]);
    struct ArrowSchema ns = {0}, out = {0};
    json_t *params = json_object();
    conf_set cs;
    bool enable = false;
    const char **pc = NULL;
    if ((rc = dlk_core__check_writable(&st))) goto done;
    if (op == 0 && dlk_ops__cm_mode(&st) > 0) { /* already on */
        if (version) *version = st.version;
        goto done;
    }
    int64_t path[MAX_PATH];
    size_t depth = 0;
    int64_t idx = -1;
    const struct ArrowSchema *parent = &st.schema; /* struct holding the field */
    bool is_part = false;
    if (op) {
        depth = resolve(&st.schema, col, path);
        if (!depth) {
            rc = dlk_err_set(DLK_NOT_FOUND, "no column '%s'", col);
            goto done;
        }
        for (size_t d = 0; d + 1 < depth; d++)
            parent = parent->children[path[d]];
        idx = path[depth - 1];
        for (size_t k = 0; k < st.n_part; k++)
            if (!strcmp(st.partition_cols[k], col)) is_part = true;
        /* hash-bucket columns are tied to their names in the configuration */
        const dlk_kvs *conf = &st.metadata->configuration;
        for (size_t ci = 0; ci < conf->n; ci++) {
            const char *k = conf->items[ci].key, *sv = conf->items[ci].value;
            const char *comma = sv ? strchr(sv, ',') : NULL;
            if (!strncmp(k, "deltalake.hashBucket.", 21) &&
                (!strcmp(k + 21, col) || (comma && !strcmp(comma + 1, col)))) {
                rc = dlk_err_set(DLK_INVALID_ARGUMENT, "column '%s' is used by hash bucketing (%s)",
                                 col, k);
                goto done;
            }
        }
    }
    if (op == 1) {
        if (!to || !to[0] || strchr(to, ',') || strchr(to, '\n')) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "invalid new column name");
            goto done;
        }
        for (int64_t i = 0; i < parent->n_children; i++)
            if (i != idx && dlk_str_ieq(parent->children[i]->name, to)) {
                rc = dlk_err_set(DLK_ALREADY_EXISTS, "a column '%s' exists",
                                 parent->children[i]->name);
                goto done;
            }
    }
    if (op == 2) {
        if (is_part) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                             "'%s' is a partition column and cannot be dropped", col);
            goto done;
        }
        if (depth > 1 && parent->n_children == 1) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "'%s' is the only field of its struct", col);
            goto done;
        }
        if (depth == 1 && (size_t)st.schema.n_children - 1 <= st.n_part) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "'%s' is the last data column", col);
            goto done;
        }
    }
    if ((rc = mapped_view(&st, &ns, &cs, &enable))) goto done;
    pc = dlk_calloc(st.n_part ? st.n_part : 1, sizeof *pc);
    if (!pc) {
        rc = dlk_err_nomem();
        goto done;
    }
    for (size_t k = 0; k < st.n_part; k++)
        pc[k] = st.partition_cols[k];
    const char *opname = "SET TBLPROPERTIES";
    if (op == 0) {
        json_object_set_new(params, "properties",
                            json_string("{\"delta.columnMapping.mode\":\"name\"}"));
        dlk_arrow_schema_move(&ns, &out);
    } else {
        if ((rc = rewrite(&ns, ns.name, path, depth, op, to, &out))) goto done;
        if (op == 1) {
            opname = "RENAME COLUMN";
            json_object_set_new(params, "oldColumnPath", json_string(col));
            json_object_set_new(params, "newColumnPath", json_string(to));
            for (size_t k = 0; k < st.n_part; k++)
                if (depth == 1 && !strcmp(pc[k], col)) pc[k] = to;
        } else {
            opname = "DROP COLUMNS";
            char *cj = NULL;
            json_t *a = json_pack("[s]", col);
            cj = a ? json_dumps(a, JSON_COMPACT) : NULL;
            json_decref(a);
            json_object_set_new(params, "columns", json_string(cj ? cj : "[]"));
            free(cj);
        }
    }
    rc = commit_md(table, &st, &out, pc, &cs, enable, opname, params, version);
done:
    if (rc) rc = dlk_err_context(rc, "%s: %s", table, what[op]);
    dlk_arrow_schema_release(&ns);
    dlk_arrow_schema_release(&out);
    dlk_free(pc);
    json_decref(params);
    dlk_core__state_free(&st);
    return rc;
}

/* The change is a function of the latest state: on a lost race (another
 * commit took the version) it is redone on the new state, a few times. */
static int change_retry(const char *table, int op, const char *col, const char *to,
                        int64_t *version)
{
    int rc = DLK_OK;
    for (int attempt = 0; attempt < 10; attempt++) {
        rc = change(table, op, col, to, version);
        if (rc != DLK_CONCURRENT_MODIFICATION) break;
        dlk_error_clear();
    }
    return rc;
}

int dlk_table_enable_column_mapping(const char *table, int64_t *version)
{
    if (version) *version = -1;
    if (!table) return dlk_err_set(DLK_INVALID_ARGUMENT, "enable_column_mapping: no table");
    return change_retry(table, 0, NULL, NULL, version);
}

int dlk_table_rename_column(const char *table, const char *old_name, const char *new_name,
                            int64_t *version)
{
    if (version) *version = -1;
    if (!table || !old_name || !new_name)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "rename_column: table and names needed");
    if (!strcmp(old_name, new_name)) {
        dlk_txn_state st;
        int rc = dlk_core__state_load(table, false, false, &st);
        if (rc) return rc;
        if (dlk_arrow_schema_find(&st.schema, old_name) < 0)
            rc = dlk_err_set(DLK_NOT_FOUND, "%s: rename_column: no column '%s'", table, old_name);
        else if (version)
            *version = st.version;
        dlk_core__state_free(&st);
        return rc;
    }
    return change_retry(table, 1, old_name, new_name, version);
}

int dlk_table_drop_column(const char *table, const char *name, int64_t *version)
{
    if (version) *version = -1;
    if (!table || !name)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "drop_column: table and name needed");
    return change_retry(table, 2, name, NULL, version);
}
