/* core/partition.c - the one parser of partition paths
 * ("service_name=web/date=2024-01-01") used by upsert, delete, update and
 * bulk insert, and matching of files against them (see core/partition.h). */
#include "core/partition.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"

#include <string.h>

void dlk_ops__ppath_free(dlk_ops__ppath *p)
{
    if (!p) return;
    for (size_t i = 0; p->values && i < p->n_part; i++)
        dlk_free(p->values[i]);
    dlk_free(p->values);
    dlk_free(p->set);
    dlk_free(p->text);
    memset(p, 0, sizeof *p);
}

int dlk_ops__ppath_parse(const char *text, const char *const *part_cols, size_t n_part,
                         dlk_ops__ppath *out)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text) return DLK_OK;
    out->n_part = n_part;
    out->text = dlk_strdup(text);
    out->set = dlk_calloc(n_part ? n_part : 1, sizeof *out->set);
    out->values = dlk_calloc(n_part ? n_part : 1, sizeof *out->values);
    if (!out->text || !out->set || !out->values) {
        dlk_ops__ppath_free(out);
        return dlk_err_nomem();
    }
    int rc = DLK_OK;
    const char *s = text;
    while (!rc) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        if (len == 0) {
            if (!slash && s != text) break; /* a trailing '/' */
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "partition path '%s': empty segment", text);
            break;
        }
        const char *eq = memchr(s, '=', len);
        if (!eq) {
            rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                             "partition path '%s': segment '%.*s' is not column=value", text,
                             (int)len, s);
            break;
        }
        char *col = NULL, *val = NULL;
        rc = dlk_url_decode(s, (size_t)(eq - s), &col);
        if (!rc) rc = dlk_url_decode(eq + 1, len - (size_t)(eq - s) - 1, &val);
        size_t k = n_part;
        for (size_t i = 0; !rc && i < n_part; i++)
            if (!strcmp(part_cols[i], col)) k = i;
        if (!rc && k == n_part)
            rc = dlk_err_set(DLK_INVALID_ARGUMENT,
                             "partition path '%s': '%s' is not a partition column of the table",
                             text, col);
        if (!rc && out->set[k])
            rc = dlk_err_set(DLK_INVALID_ARGUMENT, "partition path '%s': column '%s' given twice",
                             text, col);
        if (!rc) {
            out->set[k] = true;
            if (!strcmp(val, DLK_DML_HIVE_NULL))
                dlk_free(val);
            else
                out->values[k] = val;
            val = NULL;
        }
        dlk_free(col);
        dlk_free(val);
        if (!slash) break;
        s = slash + 1;
    }
    if (rc) dlk_ops__ppath_free(out);
    return rc;
}

static bool same_value(const char *want, const char *have)
{
    /* "" and null are both the hive null partition */
    bool wn = !want || !*want, hn = !have || !*have;
    if (wn || hn) return wn && hn;
    return !strcmp(want, have);
}

bool dlk_ops__ppath_match_file(const dlk_ops__ppath *p, const char *const *part_cols,
                               const dlk_file_info *f)
{
    if (!p->text) return true;
    for (size_t i = 0; i < p->n_part; i++) {
        if (!p->set[i]) continue;
        const char *have = NULL;
        for (size_t k = 0; k < f->n_partition_values; k++)
            if (!strcmp(f->partition_keys[k], part_cols[i])) have = f->partition_values[k];
        if (!same_value(p->values[i], have)) return false;
    }
    return true;
}

bool dlk_ops__ppath_match_json(const dlk_ops__ppath *p, const char *const *part_cols, json_t *pv)
{
    if (!p->text) return true;
    for (size_t i = 0; i < p->n_part; i++) {
        if (!p->set[i]) continue;
        if (!same_value(p->values[i], json_string_value(json_object_get(pv, part_cols[i]))))
            return false;
    }
    return true;
}

int dlk_ops__ppath_scope(const dlk_ops__ppath *p, const char *const *part_cols,
                         const char *const *vals, const char **out)
{
    for (size_t i = 0; i < p->n_part; i++) {
        const char *v = vals ? vals[i] : NULL;
        out[i] = v;
        if (!p->set[i]) continue;
        if (!v || !*v)
            out[i] = p->values[i];
        else if (!p->values[i] || strcmp(v, p->values[i]))
            return dlk_err_set(DLK_INVALID_ARGUMENT,
                               "rows with %s=%s are outside the partition '%s'", part_cols[i], v,
                               p->text);
    }
    return DLK_OK;
}
