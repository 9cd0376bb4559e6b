/*
 * log/segment.c - list _delta_log/, pick the newest complete checkpoint at or
 * below the wanted version and the commits after it; detect gaps.
 */
#include "log/segment.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define LOG_DIR "_delta_log/"

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int64_t num(const char *s, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

dlk_log_file_type dlk_log_parse_name(const char *name, int64_t *version, dlk_checkpoint_kind *kind,
                                     int *part, int *parts)
{
    size_t n = strlen(name);
    *kind = DLK_CP_NONE;
    *part = *parts = 0;
    if (n < 21 || !digits(name, 20) || name[20] != '.') return DLK_LF_OTHER;
    *version = num(name, 20);
    const char *r = name + 21;
    if (strcmp(r, "json") == 0) return DLK_LF_COMMIT;
    if (!dlk_str_starts_with(r, "checkpoint.")) return DLK_LF_OTHER;
    r += 11;
    if (strcmp(r, "parquet") == 0) {
        *kind = DLK_CP_CLASSIC;
        *part = *parts = 1;
        return DLK_LF_CHECKPOINT;
    }
    size_t rn = strlen(r);
    if (rn == 10 + 1 + 10 + 8 && digits(r, 10) && r[10] == '.' && digits(r + 11, 10) &&
        strcmp(r + 21, ".parquet") == 0) {
        *part = (int)num(r, 10);
        *parts = (int)num(r + 11, 10);
        if (*part < 1 || *parts < 1 || *part > *parts) return DLK_LF_OTHER;
        *kind = DLK_CP_MULTIPART;
        return DLK_LF_CHECKPOINT;
    }
    const char *dot = strchr(r, '.');
    if (dot && dot - r >= 8 && !strchr(dot + 1, '.')) {
        if (strcmp(dot, ".json") == 0)
            *kind = DLK_CP_V2_JSON;
        else if (strcmp(dot, ".parquet") == 0)
            *kind = DLK_CP_V2_PARQUET;
        else
            return DLK_LF_OTHER;
        *part = *parts = 1;
        return DLK_LF_CHECKPOINT;
    }
    return DLK_LF_OTHER;
}

static int add_file(dlk_log_file **arr, size_t *n, size_t *cap, const dlk_storage_entry *e,
                    int64_t version)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        dlk_log_file *na = dlk_realloc(*arr, nc * sizeof *na);
        if (!na) return dlk_err_nomem();
        *arr = na;
        *cap = nc;
    }
    char *k = dlk_strdup(e->key);
    if (!k) return dlk_err_nomem();
    (*arr)[*n] = (dlk_log_file){k, version, e->size, e->mtime_ms, version};
    (*n)++;
    return DLK_OK;
}

void dlk_log_files_free(dlk_log_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dlk_free(f[i].key);
    dlk_free(f);
}

void dlk_log_segment_free(dlk_log_segment *seg)
{
    if (!seg) return;
    dlk_log_files_free(seg->checkpoint, seg->n_checkpoint);
    dlk_log_files_free(seg->commits, seg->n_commits);
    memset(seg, 0, sizeof *seg);
}

int64_t dlk_log_last_checkpoint_version(dlk_storage *s)
{
    uint8_t *data = NULL;
    size_t n = 0;
    if (dlk_storage_get(s, LOG_DIR "_last_checkpoint", &data, &n)) {
        dlk_error_clear();
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadb((const char *)data, n, 0, &je);
    dlk_storage_bytes_free(data);
    int64_t v = -1;
    if (root) {
        json_t *jv = json_object_get(root, "version");
        if (jv && json_is_integer(jv) && json_integer_value(jv) >= 0) v = json_integer_value(jv);
        json_decref(root);
    }
    return v;
}

typedef struct {
    dlk_log_file *commits;
    size_t n_commits, cap_commits;
    dlk_log_file *cps; /* every checkpoint file seen */
    size_t n_cps, cap_cps;
    int *cp_part, *cp_parts;
    dlk_checkpoint_kind *cp_kind;
    dlk_log_file *compacted; /* x.y.compacted.json: first_version x, version y */
    size_t n_compacted, cap_compacted;
    bool any_log_file;
} listing;

static void listing_free(listing *l)
{
    dlk_log_files_free(l->commits, l->n_commits);
    dlk_log_files_free(l->cps, l->n_cps);
    dlk_log_files_free(l->compacted, l->n_compacted);
    dlk_free(l->cp_part);
    dlk_free(l->cp_parts);
    dlk_free(l->cp_kind);
    memset(l, 0, sizeof *l);
}

/* "<20 digits>.<20 digits>.compacted.json" with x < y */
static bool compacted_name(const char *name, int64_t *x, int64_t *y)
{
    if (strlen(name) != 20 + 1 + 20 + 15 || !digits(name, 20) || name[20] != '.' ||
        !digits(name + 21, 20) || strcmp(name + 41, ".compacted.json") != 0)
        return false;
    *x = num(name, 20);
    *y = num(name + 21, 20);
    return *x < *y;
}

/* Replace runs of the segment's commits by compacted files covering them
 * (the longest first), never the segment's last commit. */
static int use_compacted(listing *l, dlk_log_segment *seg)
{
    if (!l->n_compacted || seg->n_commits < 2) return DLK_OK;
    int64_t last = seg->commits[seg->n_commits - 1].version;
    size_t w = 0;
    for (size_t i = 0; i < seg->n_commits;) {
        int64_t x = seg->commits[i].version;
        const dlk_log_file *best = NULL;
        for (size_t k = 0; k < l->n_compacted; k++) {
            const dlk_log_file *c = &l->compacted[k];
            if (c->first_version == x && c->version < last && (!best || c->version > best->version))
                best = c;
        }
        if (!best) {
            seg->commits[w++] = seg->commits[i++];
            continue;
        }
        char *key = dlk_strdup(best->key);
        if (!key) return dlk_err_nomem();
        size_t j = i;
        while (j < seg->n_commits && seg->commits[j].version <= best->version)
            dlk_free(seg->commits[j++].key);
        seg->commits[w] = *best;
        seg->commits[w].key = key;
        w++;
        i = j;
    }
    seg->n_commits = w;
    return DLK_OK;
}

static int do_list(dlk_storage *s, const char *start_after, listing *l)
{
    dlk_storage_list sl;
    int rc = dlk_storage_list_prefix(s, LOG_DIR, start_after, &sl);
    if (rc) return rc;
    for (size_t i = 0; i < sl.count && !rc; i++) {
        const char *name = sl.entries[i].key + strlen(LOG_DIR);
        if (strchr(name, '/')) continue;
        l->any_log_file = true;
        int64_t v;
        dlk_checkpoint_kind k;
        int part, parts;
        dlk_log_file_type t = dlk_log_parse_name(name, &v, &k, &part, &parts);
        int64_t y;
        if (t == DLK_LF_COMMIT) {
            rc = add_file(&l->commits, &l->n_commits, &l->cap_commits, &sl.entries[i], v);
        } else if (t == DLK_LF_OTHER && compacted_name(name, &v, &y)) {
            rc = add_file(&l->compacted, &l->n_compacted, &l->cap_compacted, &sl.entries[i], y);
            if (!rc) l->compacted[l->n_compacted - 1].first_version = v;
        } else if (t == DLK_LF_CHECKPOINT) {
            size_t before = l->cap_cps;
            rc = add_file(&l->cps, &l->n_cps, &l->cap_cps, &sl.entries[i], v);
            if (!rc && l->cap_cps != before) {
                int *a = dlk_realloc(l->cp_part, l->cap_cps * sizeof(int));
                if (a) l->cp_part = a;
                int *b = dlk_realloc(l->cp_parts, l->cap_cps * sizeof(int));
                if (b) l->cp_parts = b;
                dlk_checkpoint_kind *c = dlk_realloc(l->cp_kind, l->cap_cps * sizeof *c);
                if (c) l->cp_kind = c;
                if (!a || !b || !c) rc = dlk_err_nomem();
            }
            if (!rc) {
                l->cp_part[l->n_cps - 1] = part;
                l->cp_parts[l->n_cps - 1] = parts;
                l->cp_kind[l->n_cps - 1] = k;
            }
        }
    }
    dlk_storage_list_free(&sl);
    return rc;
}

static int copy_file(const dlk_log_file *f, dlk_log_file *out)
{
    *out = *f;
    out->key = dlk_strdup(f->key);
    return out->key ? DLK_OK : dlk_err_nomem();
}

/* Choose the newest complete checkpoint <= version; fills seg. Returns 1 when found. */
static int pick_checkpoint(listing *l, int64_t version, dlk_log_segment *seg)
{
    /* checkpoints are listed sorted by key: same version adjacent */
    int64_t best_v = -1;
    size_t best_i = 0, best_n = 0;
    dlk_checkpoint_kind best_k = DLK_CP_NONE;
    for (size_t i = 0; i < l->n_cps;) {
        int64_t v = l->cps[i].version;
        size_t j = i;
        while (j < l->n_cps && l->cps[j].version == v)
            j++;
        if (v <= version && v > best_v) {
            /* prefer a single-file checkpoint; else a complete multi-part set */
            bool found = false;
            for (size_t k = i; k < j && !found; k++) {
                if (l->cp_kind[k] != DLK_CP_MULTIPART) {
                    best_v = v, best_i = k, best_n = 1, best_k = l->cp_kind[k], found = true;
                }
            }
            for (size_t k = i; k < j && !found; k++) {
                int parts = l->cp_parts[k];
                if (l->cp_kind[k] != DLK_CP_MULTIPART || l->cp_part[k] != 1) continue;
                /* parts are sorted by part number within same count */
                size_t m = k;
                int want = 1;
                while (m < j && want <= parts) {
                    if (l->cp_kind[m] == DLK_CP_MULTIPART && l->cp_parts[m] == parts &&
                        l->cp_part[m] == want)
                        want++;
                    m++;
                }
                if (want == parts + 1)
                    best_v = v, best_i = k, best_n = (size_t)parts, best_k = DLK_CP_MULTIPART,
                    found = true;
            }
        }
        i = j;
    }
    if (best_v < 0) return 0;
    seg->checkpoint_version = best_v;
    seg->checkpoint_kind = best_k;
    seg->checkpoint = dlk_calloc(best_n, sizeof *seg->checkpoint);
    if (!seg->checkpoint) return dlk_err_nomem();
    if (best_k != DLK_CP_MULTIPART) {
        seg->n_checkpoint = 1;
        return copy_file(&l->cps[best_i], &seg->checkpoint[0]) ? -1 : 1;
    }
    int want = 1;
    for (size_t m = best_i; m < l->n_cps && want <= (int)best_n; m++) {
        if (l->cps[m].version != best_v) break;
        if (l->cp_kind[m] == DLK_CP_MULTIPART && l->cp_parts[m] == (int)best_n &&
            l->cp_part[m] == want) {
            if (copy_file(&l->cps[m], &seg->checkpoint[want - 1])) return -1;
            seg->n_checkpoint = (size_t)want;
            want++;
        }
    }
    return 1;
}

static int build_from(dlk_storage *s, listing *l, int64_t version, dlk_log_segment *out)
{
    int64_t latest = -1;
    for (size_t i = 0; i < l->n_commits; i++)
        if (l->commits[i].version > latest) latest = l->commits[i].version;
    for (size_t i = 0; i < l->n_cps; i++)
        if (l->cps[i].version > latest) latest = l->cps[i].version;
    if (latest < 0) {
        if (l->any_log_file)
            return dlk_err_set(DLK_CORRUPT, "%s/_delta_log: no commit or checkpoint files",
                               dlk_storage_root(s));
        return dlk_err_set(DLK_NOT_FOUND, "not a Delta table (no _delta_log)");
    }
    if (version > latest)
        return dlk_err_set(DLK_NOT_FOUND, "version %lld does not exist; the latest version is %lld",
                           (long long)version, (long long)latest);
    int64_t target = version < 0 ? latest : version;
    out->latest_version = latest;
    out->version = target;
    out->checkpoint_version = -1;
    int rc = pick_checkpoint(l, target, out);
    if (rc < 0) return dlk_err_nomem();
    int64_t next = out->checkpoint_version + 1;
    size_t cap = 0;
    for (size_t i = 0; i < l->n_commits; i++) {
        const dlk_log_file *f = &l->commits[i];
        if (f->version < next || f->version > target) continue;
        if (f->version != next) {
            if (out->checkpoint_version < 0 && next == 0)
                return dlk_err_set(DLK_NOT_FOUND,
                                   "version %lld cannot be reconstructed: the log was cleaned "
                                   "(no checkpoint, earliest commit is %lld)",
                                   (long long)target, (long long)f->version);
            return dlk_err_set(DLK_CORRUPT,
                               "_delta_log: versions are not contiguous: version %lld is missing "
                               "(found %lld after %lld)",
                               (long long)next, (long long)f->version, (long long)next - 1);
        }
        if ((rc = add_file(&out->commits, &out->n_commits, &cap,
                           &(dlk_storage_entry){f->key, f->size, f->mtime_ms}, f->version)))
            return rc;
        next++;
    }
    if (next != target + 1) {
        if (out->checkpoint_version < 0 && out->n_commits == 0)
            return dlk_err_set(DLK_NOT_FOUND,
                               "version %lld cannot be reconstructed: the log was cleaned "
                               "(no checkpoint at or before it and no commit file %020lld.json)",
                               (long long)target, (long long)next);
        return dlk_err_set(DLK_CORRUPT, "_delta_log: version %lld is missing (wanted %lld)",
                           (long long)next, (long long)target);
    }
    return use_compacted(l, out);
}

int dlk_log_segment_build(dlk_storage *s, int64_t version, dlk_log_segment *out)
{
    memset(out, 0, sizeof *out);
    listing l = {0};
    int rc;
    int64_t hint = dlk_log_last_checkpoint_version(s);
    if (hint >= 0 && (version < 0 || version >= hint)) {
        char after[64];
        snprintf(after, sizeof after, LOG_DIR "%020lld", (long long)hint);
        /* every key of version `hint` sorts after "<dir><20 digits>" */
        rc = do_list(s, after, &l);
        if (!rc) {
            bool have_cp = false;
            for (size_t i = 0; i < l.n_cps; i++)
                have_cp |= l.cps[i].version == hint;
            if (have_cp) {
                rc = build_from(s, &l, version, out);
                if (!rc && out->checkpoint_version == hint) {
                    listing_free(&l);
                    return DLK_OK;
                }
                dlk_log_segment_free(out);
                dlk_error_clear();
            }
        }
        listing_free(&l);
    }
    rc = do_list(s, NULL, &l);
    if (!rc) rc = build_from(s, &l, version, out);
    listing_free(&l);
    if (rc) dlk_log_segment_free(out);
    return rc;
}

int dlk_log_list_commits(dlk_storage *s, dlk_log_file **out, size_t *n)
{
    listing l = {0};
    int rc = do_list(s, NULL, &l);
    if (rc) {
        listing_free(&l);
        return rc;
    }
    *out = l.commits;
    *n = l.n_commits;
    l.commits = NULL;
    l.n_commits = 0;
    listing_free(&l);
    return DLK_OK;
}
