/* core/commit.c - the one commit path: commitInfo, protocol upgrade,
 * put-if-absent, conflict check and retry, post-commit hooks (see
 * core/commit.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/commit.h"
#include "core/protocol.h"
#include "deltalake/version.h"
#include "log/checkpoint_write.h"
#include "log/cleanup.h"
#include "util/error.h"
#include "util/log.h"
#include "util/misc.h"
#include "util/str.h"
#include "util/time.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int commit_info(dlk_buf *b, const char *operation, json_t *params, int64_t read_version,
                       bool blind, json_t *metrics)
{
    json_t *ci = json_object();
    if (!ci) return dlk_err_nomem();
    const char *user = getenv("USER");
    json_object_set_new(ci, "timestamp", json_integer(dlk_now_micros() / 1000));
    if (user) {
        json_object_set_new(ci, "userId", json_string(user));
        json_object_set_new(ci, "userName", json_string(user));
    }
    json_object_set_new(ci, "operation", json_string(operation));
    if (params)
        json_object_set(ci, "operationParameters", params);
    else
        json_object_set_new(ci, "operationParameters", json_object());
    if (read_version >= 0) json_object_set_new(ci, "readVersion", json_integer(read_version));
    json_object_set_new(ci, "isolationLevel", json_string("Serializable"));
    json_object_set_new(ci, "isBlindAppend", json_boolean(blind));
    if (metrics) json_object_set(ci, "operationMetrics", metrics);
    json_object_set_new(ci, "engineInfo", json_string(dlk_engine_info()));
    char uuid[37];
    dlk_uuid_string(uuid);
    json_object_set_new(ci, "txnId", json_string(uuid));
    int rc = dlk_core__put_action(b, "commitInfo", ci);
    json_decref(ci);
    return rc;
}

void dlk_core__metric(json_t *metrics, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    json_object_set_new(metrics, key, json_string(num));
}

int dlk_core__put_action(dlk_buf *b, const char *kind, json_t *obj)
{
    json_t *wrap = json_object();
    if (!wrap || json_object_set(wrap, kind, obj)) {
        json_decref(wrap);
        return dlk_err_nomem();
    }
    char *s = json_dumps(wrap, JSON_COMPACT);
    json_decref(wrap);
    if (!s) return dlk_err_nomem();
    int rc = dlk_buf_puts(b, s);
    if (!rc) rc = dlk_buf_putc(b, '\n');
    free(s);
    return rc;
}

static int put_typed(dlk_buf *c, dlk_action_kind kind, const void *act)
{
    dlk_action a = {.kind = kind};
    if (kind == DLK_ACTION_PROTOCOL)
        a.u.protocol = *(const dlk_protocol_action *)act;
    else
        a.u.metadata = *(const dlk_metadata_action *)act;
    return dlk_log_action_to_json(&a, c);
}

/* The commit text: commitInfo, protocol, metaData, then the body. */
static int build(const dlk_commit_req *r, const dlk_txn_state *st, dlk_buf *c,
                 bool *changes_metadata)
{
    int64_t read_version = r->read_version;
    dlk_arena a = {0};
    dlk_protocol_action up;
    const dlk_protocol_action *proto = r->protocol;
    int rc = DLK_OK;
    if (!proto && (r->n_features || read_version < 0)) {
        bool changed;
        rc = dlk_core__protocol_upgrade(st ? st->protocol : NULL, r->features, r->n_features, &a,
                                        &up, &changed);
        if (!rc && changed) {
            proto = &up;
            DLK_DEBUG("commit", "%s: protocol upgraded for this commit", r->root);
        }
    }
    *changes_metadata = proto || r->metadata;
    bool blind = r->intent.blind_append && !*changes_metadata;
    if (read_version < 0) blind = true; /* a create reads nothing */
    if (!rc) rc = commit_info(c, r->operation, r->params, read_version, blind, r->metrics);
    if (!rc && proto) rc = put_typed(c, DLK_ACTION_PROTOCOL, proto);
    if (!rc && r->metadata) rc = put_typed(c, DLK_ACTION_METADATA, r->metadata);
    if (!rc && r->body_len) rc = dlk_buf_append(c, r->body, r->body_len);
    if (!rc && c->len && c->data[c->len - 1] != '\n') rc = dlk_buf_putc(c, '\n');
    dlk_arena_free(&a);
    return rc;
}

int dlk_core__checkpoint(const char *root, int64_t version)
{
    dlk_storage *s = NULL;
    int rc = dlk_storage_open(root, &s);
    if (rc) return rc;
    dlk_log_checkpoint_info info;
    rc = dlk_log__checkpoint_write_info(s, version, &info);
    if (rc) {
        dlk_storage_free(&s);
        return dlk_err_context(rc, "%s", root);
    }
    if (info.log_cleanup && dlk_log__cleanup(s, info.log_retention_ms, NULL)) {
        DLK_WARN("checkpoint", "%s: log cleanup failed: %s", root, dlk_error_last()->message);
        dlk_error_clear();
    }
    dlk_storage_free(&s);
    return DLK_OK;
}

static void backoff(int attempt, unsigned *seed)
{
    /* random in [0, min(2^a, 64)) * 100us */
    int cap = attempt < 6 ? 1 << attempt : 64;
    struct timespec ts = {0, (long)(rand_r(seed) % cap) * 100000L};
    nanosleep(&ts, NULL);
}

/* Put-if-absent from read_version + 1 on, checking winners. */
static int put_loop(const dlk_commit_req *r, const dlk_txn_intent *in, const dlk_buf *c,
                    dlk_commit_res *res)
{
    int64_t read_version = r->read_version;
    int64_t v = read_version + 1, checked = read_version;
    int max = r->max_attempts > 0 ? r->max_attempts : 1000;
    unsigned seed = (unsigned)(dlk_monotonic_ns() ^ (uint64_t)getpid() << 16);
    for (int a = 1;; a++) {
        res->attempts = a;
        int rc = dlk_core__commit_put(r->root, v, (const char *)c->data, c->len);
        if (rc == DLK_OK) {
            DLK_DEBUG("commit", "%s: committed version %" PRId64 " (attempt %d, %zu bytes)",
                      r->root, v, a, c->len);
            res->version = v;
            return DLK_OK;
        }
        DLK_DEBUG("commit", "%s: attempt %d at version %" PRId64 ": %s", r->root, a, v,
                  rc == DLK_ALREADY_EXISTS ? "lost the race, checking for conflicts"
                                           : dlk_status_name(rc));
        if (rc != DLK_ALREADY_EXISTS) return rc;
        if (read_version < 0) /* a create: the table exists now */
            return dlk_err_set(DLK_ALREADY_EXISTS,
                               "%s: a Delta table already exists (created concurrently)", r->root);
        dlk_error_clear();
        if (a >= max)
            return dlk_err_conflict(
                v, "gave up after %d commit attempts (last lost race at version %" PRId64 ")", a,
                v);
        int64_t latest;
        if ((rc = dlk_core__log_latest(r->root, &latest))) return rc;
        for (int64_t w = checked + 1; w <= latest; w++) {
            if ((rc = dlk_core__check_conflict(r->root, w, in))) {
                DLK_DEBUG("commit", "%s: conflict with version %" PRId64 ": %s", r->root, w,
                          dlk_error_last()->message);
                return rc;
            }
            checked = w;
        }
        v = latest + 1;
        backoff(a, &seed);
    }
}

/* Post-commit hooks: a checkpoint on the interval (and the expired log
 * cleanup it runs). */
static void hooks(const dlk_commit_req *r, const dlk_txn_state *st, dlk_commit_res *res)
{
    res->checkpoint_version = -1;
    if (r->no_hooks || res->version <= 0) return;
    const char *ci = st ? dlk_core__state_config(st, "delta.checkpointInterval") : NULL;
    if (r->metadata) {
        bool found;
        const char *v =
            dlk_kvs_get(&r->metadata->configuration, "delta.checkpointInterval", &found);
        if (found) ci = v;
    }
    int64_t interval = 100;
    if (ci && dlk_parse_i64(ci, &interval) != DLK_OK) interval = 100;
    if (interval <= 0 || res->version % interval != 0) return;
    if (dlk_core__checkpoint(r->root, res->version)) {
        DLK_WARN("commit", "%s: checkpoint of version %" PRId64 " failed: %s", r->root,
                 res->version, dlk_error_last()->message);
        dlk_error_clear();
        return;
    }
    res->checkpoint_version = res->version;
}

int dlk_core__commit(const dlk_commit_req *r, dlk_commit_res *res)
{
    memset(res, 0, sizeof *res);
    res->version = -1;
    res->checkpoint_version = -1;
    if (!r->root || !r->operation)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "commit: no table or operation");
    /* the state read, when the caller has none at hand */
    dlk_txn_state own;
    const dlk_txn_state *st = r->state;
    int rc = DLK_OK;
    if (!st && r->read_version >= 0) {
        if ((rc = dlk_core__state_load_at(r->root, r->read_version, false, false, &own))) return rc;
        st = &own;
    }
    dlk_buf c = {0};
    dlk_txn_intent in = r->intent;
    rc = build(r, st, &c, &in.changes_metadata);
    if (!rc) rc = put_loop(r, &in, &c, res);
    dlk_buf_free(&c);
    if (!rc) hooks(r, st, res);
    if (st == &own) dlk_core__state_free(&own);
    return rc;
}
