/*
 * log/replay.c - log replay: checkpoint + commits -> live files, protocol,
 * metadata, app transactions and domain metadata (see replay.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "log/replay.h"
#include "util/time.h"
#include "util/log.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"
#include <pthread.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    dlk_storage *s;
    dlk_log_state *st;
    bool in_checkpoint;
    dlk_buf key;
    dlk_vec sidecars; /* const char* (arena) */
    dlk_map *seen;    /* reading a log compaction file: keys already taken */
} rctx;

/* In a log compaction file the first action of a key wins (files written
 * newest first, as Delta kernel reads them; a reconciled file has one
 * action a key anyway). Returns true when this action is to be skipped. */
static bool seen_before(rctx *c, char tag, const char *k, size_t n, int *rc)
{
    if (!c->seen) return false;
    dlk_buf b = {0};
    *rc = dlk_buf_putc(&b, 0);
    if (!*rc) *rc = dlk_buf_putc(&b, tag);
    if (!*rc && n) *rc = dlk_buf_append(&b, k, n);
    bool hit = !*rc && dlk_map_get(c->seen, b.data, b.len, NULL);
    if (!*rc && !hit) *rc = dlk_map_put(c->seen, b.data, b.len, (void *)1, NULL);
    dlk_buf_free(&b);
    return hit || *rc;
}

static void *arena_copy(dlk_arena *a, const void *p, size_t n)
{
    void *d = dlk_arena_alloc(a, n);
    if (d) memcpy(d, p, n);
    return d;
}

static int file_key(rctx *c, const char *path, const dlk_dv *dv)
{
    dlk_buf_reset(&c->key);
    int rc = dlk_buf_puts(&c->key, path);
    if (!rc) rc = dlk_buf_putc(&c->key, 0);
    if (!rc && dv) rc = dlk_dv_unique_id(dv, &c->key);
    return rc;
}

/* Largest file size an add may declare: 16 TiB. No writer makes bigger
 * Parquet files, and the bound keeps every sum over a table's files far
 * from overflowing. */
#define MAX_FILE_SIZE ((int64_t)1 << 44)

/* Sizes, counts and offsets of an add or remove that cannot be true. */
static int check_numbers(const char *kind, const char *path, int64_t size, bool has_size,
                         const dlk_dv *dv)
{
    if (has_size && (size < 0 || size > MAX_FILE_SIZE))
        return dlk_err_set(DLK_CORRUPT, "%s '%s': size %" PRId64 " is not a file size", kind, path,
                           size);
    if (dv && (dv->size_in_bytes < 0 || dv->cardinality < 0 || (dv->has_offset && dv->offset < 0)))
        return dlk_err_set(DLK_CORRUPT,
                           "%s '%s': deletion vector with a negative size, cardinality or offset",
                           kind, path);
    return DLK_OK;
}

static int apply(void *ctx, dlk_action *a)
{
    rctx *c = ctx;
    dlk_log_state *st = c->st;
    int rc = DLK_OK;
    switch (a->kind) {
    case DLK_ACTION_PROTOCOL:
        if (seen_before(c, 'P', NULL, 0, &rc)) return rc;
        st->protocol = arena_copy(&st->arena, &a->u.protocol, sizeof a->u.protocol);
        return st->protocol ? DLK_OK : dlk_err_nomem();
    case DLK_ACTION_METADATA:
        if (seen_before(c, 'M', NULL, 0, &rc)) return rc;
        st->metadata = arena_copy(&st->arena, &a->u.metadata, sizeof a->u.metadata);
        return st->metadata ? DLK_OK : dlk_err_nomem();
    case DLK_ACTION_ADD: {
        const char *dec;
        if ((rc = check_numbers("add", a->u.add.path, a->u.add.size, true, a->u.add.dv))) return rc;
        if ((rc = dlk_log_path_decode(a->u.add.path, &st->arena, &dec))) return rc;
        if ((rc = file_key(c, dec, a->u.add.dv))) return rc;
        if (seen_before(c, 'F', (const char *)c->key.data, c->key.len, &rc)) return rc;
        dlk_add_action *add = arena_copy(&st->arena, &a->u.add, sizeof a->u.add);
        if (!add) return dlk_err_nomem();
        if (st->flags & DLK_REPLAY_TOMBSTONES)
            dlk_map_remove(&st->tombstones, c->key.data, c->key.len, NULL);
        return dlk_map_put(&st->files, c->key.data, c->key.len, add, NULL);
    }
    case DLK_ACTION_REMOVE: {
        bool keep = (st->flags & DLK_REPLAY_TOMBSTONES) != 0;
        if (c->in_checkpoint && !keep) return DLK_OK; /* vacuum tombstone */
        const char *dec;
        if ((rc = check_numbers("remove", a->u.remove.path, a->u.remove.size, a->u.remove.has_size,
                                a->u.remove.dv)))
            return rc;
        if ((rc = dlk_log_path_decode(a->u.remove.path, &st->arena, &dec))) return rc;
        if ((rc = file_key(c, dec, a->u.remove.dv))) return rc;
        if (seen_before(c, 'F', (const char *)c->key.data, c->key.len, &rc)) return rc;
        if (!c->in_checkpoint) dlk_map_remove(&st->files, c->key.data, c->key.len, NULL);
        if (keep) {
            dlk_remove_action *r = arena_copy(&st->arena, &a->u.remove, sizeof a->u.remove);
            if (!r) return dlk_err_nomem();
            return dlk_map_put(&st->tombstones, c->key.data, c->key.len, r, NULL);
        }
        return DLK_OK;
    }
    case DLK_ACTION_TXN: {
        if (seen_before(c, 'T', a->u.txn.app_id, strlen(a->u.txn.app_id), &rc)) return rc;
        dlk_txn_action *t = arena_copy(&st->arena, &a->u.txn, sizeof a->u.txn);
        if (!t) return dlk_err_nomem();
        return dlk_map_put_str(&st->txns, t->app_id, t);
    }
    case DLK_ACTION_DOMAIN_METADATA: {
        if (seen_before(c, 'D', a->u.domain_metadata.domain, strlen(a->u.domain_metadata.domain),
                        &rc))
            return rc;
        if (a->u.domain_metadata.removed) {
            dlk_map_remove(&st->domains, a->u.domain_metadata.domain,
                           strlen(a->u.domain_metadata.domain), NULL);
            return DLK_OK;
        }
        dlk_domain_metadata_action *d =
            arena_copy(&st->arena, &a->u.domain_metadata, sizeof a->u.domain_metadata);
        if (!d) return dlk_err_nomem();
        return dlk_map_put_str(&st->domains, d->domain, d);
    }
    case DLK_ACTION_SIDECAR:
        if (c->in_checkpoint) return dlk_vec_push(&c->sidecars, &a->u.sidecar.path);
        return DLK_OK;
    default:
        return DLK_OK;
    }
}

/* Apply one parsed action of a commit (or JSON checkpoint) file. */
static int take(rctx *c, dlk_action *act, int64_t version)
{
    dlk_log_state *st = c->st;
    if (act->kind == DLK_ACTION_COMMIT_INFO && version >= 0) {
        st->last_commit_info =
            arena_copy(&st->arena, &act->u.commit_info, sizeof act->u.commit_info);
        return st->last_commit_info ? DLK_OK : dlk_err_nomem();
    }
    return apply(c, act);
}

/* Parse lines [begin, end) of a file into a list of actions: the second
 * half of a large file, on a second thread, while the first thread parses
 * and applies the first half (jansson parsing dominates a big log). */
typedef struct {
    const uint8_t *data;
    size_t begin, end;
    dlk_arena arena;
    dlk_vec acts; /* dlk_action */
    int rc;
    size_t err_line; /* 1-based within the part */
    char err[512];
} part_job;

static void *parse_part(void *p)
{
    part_job *j = p;
    size_t pos = j->begin, line = 0;
    while (pos < j->end) {
        const uint8_t *nl = memchr(j->data + pos, '\n', j->end - pos);
        size_t end = nl ? (size_t)(nl - j->data) : j->end;
        line++;
        dlk_action act;
        int rc = dlk_log_action_parse((const char *)j->data + pos, end - pos, &j->arena, &act);
        if (!rc && act.kind != DLK_ACTION_UNKNOWN) rc = dlk_vec_push(&j->acts, &act);
        if (rc) {
            j->rc = rc;
            j->err_line = line;
            snprintf(j->err, sizeof j->err, "%s", dlk_error_last()->message);
            break;
        }
        pos = end + 1;
    }
    return NULL;
}

/* Files at least this big are parsed by two threads. */
#define PARALLEL_PARSE_MIN ((size_t)4 << 20)

static int read_json_file(rctx *c, const dlk_log_file *f, int64_t version)
{
    uint8_t *data = NULL;
    size_t n = 0;
    int rc = dlk_storage_get(c->s, f->key, &data, &n);
    if (rc) return rc;
    if (dlk_log_commit_is_empty((const char *)data, n)) {
        dlk_storage_bytes_free(data);
        return dlk_err_set(DLK_CORRUPT,
                           "%s: empty commit file (%zu bytes, no actions): a write that did not "
                           "finish, or a damaged copy; the table cannot be read past version "
                           "%" PRId64,
                           f->key, n, f->first_version - 1);
    }
    dlk_log_state *st = c->st;
    st->last_commit_info = NULL;
    dlk_map seen = {0};
    if (f->first_version != f->version) c->seen = &seen; /* a log compaction file */
    size_t stop = n;
    part_job job = {.data = data, .acts = DLK_VEC_INIT(dlk_action)};
    pthread_t th;
    bool threaded = false;
    if (n >= PARALLEL_PARSE_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
        const uint8_t *nl = memchr(data + n / 2, '\n', n - n / 2);
        if (nl && (size_t)(nl - data) + 1 < n) {
            stop = (size_t)(nl - data) + 1;
            job.begin = stop;
            job.end = n;
            threaded = pthread_create(&th, NULL, parse_part, &job) == 0;
            if (!threaded) stop = n;
        }
    }
    size_t pos = 0, line = 0;
    while (pos < stop && !rc) {
        const char *nl = memchr(data + pos, '\n', stop - pos);
        size_t end = nl ? (size_t)((const uint8_t *)nl - data) : stop;
        line++;
        dlk_action act;
        rc = dlk_log_action_parse((const char *)data + pos, end - pos, &st->arena, &act);
        if (!rc) rc = take(c, &act, version);
        if (rc) rc = dlk_err_context(rc, "%s: line %zu", f->key, line);
        pos = end + 1;
    }
    if (threaded) {
        pthread_join(th, NULL);
        if (!rc && job.rc)
            rc = dlk_err_set(job.rc, "%s: line %zu: %s", f->key, line + job.err_line, job.err);
        for (size_t i = 0; i < job.acts.len && !rc; i++) {
            rc = take(c, &dlk_vec_at(&job.acts, dlk_action, i), version);
            if (rc) rc = dlk_err_context(rc, "%s", f->key);
        }
        dlk_arena_merge(&st->arena, &job.arena); /* the actions point into it */
        dlk_vec_free(&job.acts);
    }
    c->seen = NULL;
    dlk_map_free(&seen);
    dlk_storage_bytes_free(data);
    return rc;
}

static int read_checkpoint(rctx *c, const dlk_log_segment *seg)
{
    int rc = DLK_OK;
    c->in_checkpoint = true;
    for (size_t i = 0; i < seg->n_checkpoint && !rc; i++) {
        const dlk_log_file *f = &seg->checkpoint[i];
        if (seg->checkpoint_kind == DLK_CP_V2_JSON)
            rc = read_json_file(c, f, -1);
        else {
            rc = dlk_log__read_parquet_actions(
                c->s, f->key, &c->st->arena, (c->st->flags & DLK_REPLAY_TOMBSTONES) != 0, apply, c);
            if (rc) rc = dlk_err_context(rc, "%s", f->key);
        }
    }
    for (size_t i = 0; i < c->sidecars.len && !rc; i++) {
        const char *p = dlk_vec_at(&c->sidecars, const char *, i);
        dlk_buf k = {0};
        if (strchr(p, ':') || p[0] == '/')
            rc = dlk_buf_puts(&k, p);
        else {
            char *dec = NULL;
            rc = dlk_url_decode(p, strlen(p), &dec);
            if (!rc) rc = dlk_buf_printf(&k, "_delta_log/_sidecars/%s", dec);
            dlk_free(dec);
        }
        if (!rc) {
            rc = dlk_log__read_parquet_actions(c->s, dlk_buf_cstr(&k), &c->st->arena,
                                               (c->st->flags & DLK_REPLAY_TOMBSTONES) != 0, apply,
                                               c);
            if (rc) rc = dlk_err_context(rc, "sidecar %s", dlk_buf_cstr(&k));
        }
        dlk_buf_free(&k);
    }
    c->in_checkpoint = false;
    return rc;
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int dlk_log_replay(dlk_storage *s, const dlk_log_segment *seg, dlk_log_state *st)
{
    return dlk_log_replay_ex(s, seg, 0, st);
}

int dlk_log_replay_commits(dlk_storage *s, const dlk_log_file *commits, size_t n, dlk_log_state *st)
{
    rctx c = {s, st, false, {0}, DLK_VEC_INIT(const char *), NULL};
    int rc = DLK_OK;
    st->n_active = 0; /* the sorted list (if any) is stale from here on */
    st->active = NULL;
    st->active_paths = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        if (commits[i].first_version != st->version + 1) {
            rc = dlk_err_set(DLK_CORRUPT, "_delta_log: version %lld is missing",
                             (long long)(st->version + 1));
            break;
        }
        rc = read_json_file(&c, &commits[i], commits[i].version);
        if (!rc) {
            st->version = commits[i].version;
            st->last_commit_mtime_ms = commits[i].mtime_ms;
        }
    }
    dlk_buf_free(&c.key);
    dlk_vec_free(&c.sidecars);
    return rc;
}

int dlk_log_replay_ex(dlk_storage *s, const dlk_log_segment *seg, unsigned flags, dlk_log_state *st)
{
    memset(st, 0, sizeof *st);
    st->flags = flags;
    st->version = seg->version;
    rctx c = {s, st, false, {0}, DLK_VEC_INIT(const char *), NULL};
    int rc = DLK_OK;
    int64_t t0 = dlk_monotonic_ns();
    if (seg->n_checkpoint) {
        rc = read_checkpoint(&c, seg);
        st->last_commit_mtime_ms = seg->checkpoint[0].mtime_ms;
    }
    for (size_t i = 0; i < seg->n_commits && !rc; i++) {
        rc = read_json_file(&c, &seg->commits[i], seg->commits[i].version);
        st->last_commit_mtime_ms = seg->commits[i].mtime_ms;
    }
    dlk_buf_free(&c.key);
    dlk_vec_free(&c.sidecars);
    if (rc || (flags & DLK_REPLAY_NO_ACTIVE)) return rc;
    /* collect the live files, sorted by decoded path */
    size_t n = st->files.count;
    const char **pairs = dlk_arena_alloc(&st->arena, (n ? n : 1) * 2 * sizeof *pairs);
    if (!pairs) return dlk_err_nomem();
    size_t pos = 0, i = 0;
    dlk_map_entry *e;
    while ((e = dlk_map_next(&st->files, &pos)) != NULL) {
        pairs[2 * i] = e->key; /* decoded path, NUL-terminated before the DV id */
        pairs[2 * i + 1] = e->value;
        i++;
    }
    qsort(pairs, i, 2 * sizeof *pairs, path_cmp);
    st->active = dlk_arena_alloc(&st->arena, (i ? i : 1) * sizeof *st->active);
    st->active_paths = dlk_arena_alloc(&st->arena, (i ? i : 1) * sizeof *st->active_paths);
    if (!st->active || !st->active_paths) return dlk_err_nomem();
    for (size_t j = 0; j < i; j++) {
        st->active[j] = (dlk_add_action *)pairs[2 * j + 1];
        st->active_paths[j] = pairs[2 * j]; /* the map's key: lives as long as st->files */
    }
    st->n_active = i;
    char cp[48] = "no checkpoint";
    if (seg->n_checkpoint)
        snprintf(cp, sizeof cp, "checkpoint %" PRId64, seg->checkpoint[0].version);
    DLK_DEBUG("log",
              "replayed version %" PRId64 ": %s + %zu commit(s), %zu active file(s), %.1f ms",
              seg->version, cp, seg->n_commits, i, (double)(dlk_monotonic_ns() - t0) / 1e6);
    return DLK_OK;
}

void dlk_log_state_free(dlk_log_state *st)
{
    if (!st) return;
    dlk_map_free(&st->files);
    dlk_map_free(&st->tombstones);
    dlk_map_free(&st->txns);
    dlk_map_free(&st->domains);
    dlk_arena_free(&st->arena);
    memset(st, 0, sizeof *st);
}
