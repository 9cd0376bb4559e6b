/*
 * core/colmap.c - column mapping helpers of the write side (see colmap.h):
 * mode, id / physical name assignment, the physical schema of data files.
 */
#include "core/colmap.h"
#include "arrow/arrow.h"
#include "core/schema.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/misc.h"
#include "util/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CM_ID "delta.columnMapping.id"

int dlk_ops__cm_mode_of(const char *v)
{
    if (!v || dlk_str_ieq(v, "none")) return DLK_CMAP_NONE;
    if (dlk_str_ieq(v, "name")) return DLK_CMAP_NAME;
    if (dlk_str_ieq(v, "id")) return DLK_CMAP_ID;
    return -1;
}

int dlk_ops__cm_mode(const dlk_txn_state *st)
{
    return dlk_ops__cm_mode_of(dlk_core__state_config(st, "delta.columnMapping.mode"));
}

int dlk_ops__cm_set_field(struct ArrowSchema *f, int64_t id, const char *physical)
{
    const char *v;
    size_t vl;
    json_t *meta = NULL;
    if (f->metadata && dlk_arrow_metadata_get(f->metadata, DLK_MD_DELTA, &v, &vl))
        meta = json_loadb(v, vl, 0, NULL);
    if (!json_is_object(meta)) {
        json_decref(meta);
        meta = json_object();
    }
    if (!meta) return dlk_err_nomem();
    json_object_set_new(meta, CM_ID, json_integer(id));
    json_object_set_new(meta, DLK_MD_PHYSICAL_NAME, json_string(physical));
    char *text = json_dumps(meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(meta);
    if (!text) return dlk_err_nomem();
    char idb[32];
    snprintf(idb, sizeof idb, "%" PRId64, id);
    const char *keys[3] = {DLK_MD_DELTA, DLK_MD_PHYSICAL_NAME, DLK_MD_FIELD_ID};
    const char *vals[3] = {text, physical, idb};
    int rc = dlk_arrow_schema_set_metadata(f, keys, vals, 3);
    free(text);
    return rc;
}

int64_t dlk_ops__cm_max_id(const struct ArrowSchema *s)
{
    int64_t m = 0;
    for (int64_t i = 0; i < s->n_children; i++) {
        int64_t id = dlk_core_field_id(s->children[i]);
        if (id > m) m = id;
        int64_t c = dlk_ops__cm_max_id(s->children[i]);
        if (c > m) m = c;
    }
    return m;
}

static int assign(struct ArrowSchema *s, int64_t *max_id, bool keep_names, int depth)
{
    if (depth > 64) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema nested too deeply");
    bool is_struct = !strcmp(s->format, "+s");
    for (int64_t i = 0; i < s->n_children; i++) {
        struct ArrowSchema *f = s->children[i];
        if (is_struct && dlk_core_field_id(f) < 0) {
            char phys[64];
            if (keep_names) {
                const char *v;
                size_t vl;
                /* a physical name already there stays (files use it) */
                if (f->metadata &&
                    dlk_arrow_metadata_get(f->metadata, DLK_MD_PHYSICAL_NAME, &v, &vl)) {
                    char *pn = dlk_strndup(v, vl);
                    int rc = pn ? dlk_ops__cm_set_field(f, ++*max_id, pn) : dlk_err_nomem();
                    dlk_free(pn);
                    if (rc) return rc;
                } else {
                    int rc = dlk_ops__cm_set_field(f, ++*max_id, f->name);
                    if (rc) return rc;
                }
            } else {
                char uuid[37];
                dlk_uuid_string(uuid);
                snprintf(phys, sizeof phys, "col-%s", uuid);
                int rc = dlk_ops__cm_set_field(f, ++*max_id, phys);
                if (rc) return rc;
            }
        }
        int rc = assign(f, max_id, keep_names, depth + 1);
        if (rc) return rc;
    }
    return DLK_OK;
}

int dlk_ops__cm_assign(struct ArrowSchema *s, int64_t *max_id, bool keep_names)
{
    return assign(s, max_id, keep_names, 0);
}

static int physical(const struct ArrowSchema *s, const char *name, struct ArrowSchema *out,
                    int depth)
{
    if (depth > 64) return dlk_err_set(DLK_INVALID_ARGUMENT, "schema nested too deeply");
    int rc = dlk_arrow_schema_new(out, s->format, name, s->flags, s->n_children);
    if (!rc && s->metadata) rc = dlk_arrow_schema_set_metadata_raw(out, s->metadata);
    bool is_struct = !strcmp(s->format, "+s");
    for (int64_t i = 0; i < s->n_children && !rc; i++) {
        const struct ArrowSchema *c = s->children[i];
        char buf[512];
        const char *cn = is_struct ? dlk_core_field_physical_name(c, buf, sizeof buf) : c->name;
        dlk_arrow_schema_release(out->children[i]);
        rc = physical(c, cn, out->children[i], depth + 1);
    }
    if (rc) dlk_arrow_schema_release(out);
    return rc;
}

int dlk_ops__cm_physical(const struct ArrowSchema *s, struct ArrowSchema *out)
{
    memset(out, 0, sizeof *out);
    return physical(s, s->name, out, 0);
}

const char *dlk_ops__cm_col_phys(const struct ArrowSchema *schema, const char *name, char *buf,
                                 size_t cap)
{
    int64_t i = schema && schema->release ? dlk_arrow_schema_find(schema, name) : -1;
    if (i < 0) return name;
    return dlk_core_field_physical_name(schema->children[i], buf, cap);
}
