/*
 * maint/history.c - dlk_table_history: the commitInfo of each commit file
 * still in _delta_log (listed through the storage vtable by the log
 * segment lister), newest first, with records added/removed derived from
 * the operation's metrics (include/deltalake/maintenance.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "deltalake/maintenance.h"
#include "deltalake/table.h"
#include "log/segment.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct dlk_history {
    dlk_history_entry *e;
    json_t **ci;  /* the commitInfo objects (owned); strings borrow from them */
    char **texts; /* dumped parameters / metrics (2 per entry) */
    size_t n;
};

/* A metric as an integer: Delta writes them as strings, some engines as numbers. -1 absent. */
static int64_t metric(json_t *m, const char *k)
{
    json_t *v = json_object_get(m, k);
    if (json_is_integer(v)) return (int64_t)json_integer_value(v);
    if (json_is_string(v)) {
        char *end;
        long long x = strtoll(json_string_value(v), &end, 10);
        if (end != json_string_value(v) && !*end) return x;
    }
    return -1;
}

static int64_t add2(int64_t a, int64_t b)
{
    if (a < 0 && b < 0) return -1;
    return (a < 0 ? 0 : a) + (b < 0 ? 0 : b);
}

static void records(const char *op, json_t *params, json_t *m, int64_t *added, int64_t *removed)
{
    *added = *removed = -1;
    if (!op) return;
    if (!strcmp(op, "WRITE") || !strcmp(op, "STREAMING UPDATE") || strstr(op, "AS SELECT") ||
        !strcmp(op, "BULK INSERT") || !strcmp(op, "CONVERT")) {
        *added = metric(m, "numOutputRows");
        const char *mode = json_string_value(json_object_get(params, "mode"));
        if (!mode || !strcmp(mode, "Append"))
            *removed = 0;
        else
            *removed = metric(m, "numRemovedRows");
    } else if (!strcmp(op, "DELETE")) {
        *added = 0;
        *removed = metric(m, "numDeletedRows");
    } else if (!strcmp(op, "UPDATE")) {
        *added = *removed = metric(m, "numUpdatedRows");
    } else if (!strcmp(op, "MERGE") || !strcmp(op, "UPSERT")) {
        int64_t ins = metric(m, "numTargetRowsInserted"), upd = metric(m, "numTargetRowsUpdated"),
                del = metric(m, "numTargetRowsDeleted");
        *added = add2(ins, upd);
        *removed = add2(del, upd);
    } else if (!strcmp(op, "OPTIMIZE") || !strncmp(op, "VACUUM", 6) ||
               !strcmp(op, "CREATE TABLE") || !strcmp(op, "SET TBLPROPERTIES") ||
               !strcmp(op, "UNSET TBLPROPERTIES") || !strcmp(op, "ADD COLUMNS") ||
               !strcmp(op, "CHANGE COLUMN") || !strcmp(op, "UPGRADE PROTOCOL")) {
        *added = *removed = 0;
    } else if (!strcmp(op, "RESTORE")) {
        *added = metric(m, "numRestoredRows");
        *removed = metric(m, "numRemovedRows");
    } else {
        *added = metric(m, "numOutputRows");
        *removed = metric(m, "numDeletedRows");
    }
}

static char *dump(json_t *o)
{
    return json_is_object(o) ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

/* Fill entry i from the commit's bytes (the first commitInfo line). */
static int fill(dlk_history *h, size_t i, int64_t version, int64_t mtime, const uint8_t *data,
                size_t len)
{
    dlk_history_entry *e = &h->e[i];
    memset(e, 0, sizeof *e);
    e->version = version;
    e->timestamp_ms = mtime;
    e->read_version = -1;
    e->records_added = e->records_removed = -1;
    const char *p = (const char *)data, *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 15 && memmem(p, n, "\"commitInfo\"", 12)) {
            json_t *line = json_loadb(p, n, 0, NULL);
            json_t *ci = json_object_get(line, "commitInfo");
            if (json_is_object(ci)) {
                h->ci[i] = json_incref(ci);
                json_decref(line);
                break;
            }
            json_decref(line);
        }
        p += n + 1;
    }
    json_t *ci = h->ci[i];
    if (!ci) return DLK_OK;
    json_t *ict = json_object_get(ci, "inCommitTimestamp"), *ts = json_object_get(ci, "timestamp");
    if (json_is_integer(ict))
        e->timestamp_ms = (int64_t)json_integer_value(ict);
    else if (json_is_integer(ts))
        e->timestamp_ms = (int64_t)json_integer_value(ts);
    json_t *rv = json_object_get(ci, "readVersion");
    if (json_is_integer(rv)) e->read_version = (int64_t)json_integer_value(rv);
    e->operation = json_string_value(json_object_get(ci, "operation"));
    e->user = json_string_value(json_object_get(ci, "userName"));
    if (!e->user) e->user = json_string_value(json_object_get(ci, "userId"));
    e->engine = json_string_value(json_object_get(ci, "engineInfo"));
    if (!e->engine) e->engine = json_string_value(json_object_get(ci, "clientVersion"));
    json_t *params = json_object_get(ci, "operationParameters"),
           *m = json_object_get(ci, "operationMetrics");
    h->texts[2 * i] = dump(params);
    h->texts[2 * i + 1] = dump(m);
    e->parameters_json = h->texts[2 * i];
    e->metrics_json = h->texts[2 * i + 1];
    e->blind_append = json_is_true(json_object_get(ci, "isBlindAppend"));
    records(e->operation, params, m, &e->records_added, &e->records_removed);
    return DLK_OK;
}

int dlk_table_history(const char *table, int64_t limit, dlk_history **out)
{
    if (!table || !out) return dlk_err_set(DLK_INVALID_ARGUMENT, "history: NULL argument");
    *out = NULL;
    dlk_table *t = NULL;
    dlk_log_file *files = NULL;
    size_t nf = 0;
    int rc = dlk_table_open(table, &t);
    if (!rc) rc = dlk_log_list_commits(dlk_table_storage(t), &files, &nf);
    if (!rc && nf == 0)
        rc = dlk_err_set(DLK_NOT_FOUND, "%s: not a Delta table (no commits in _delta_log)", table);
    if (rc) {
        dlk_table_free(&t);
        return dlk_err_context(rc, "history");
    }
    size_t n = nf;
    if (limit > 0 && (uint64_t)limit < n) n = (size_t)limit;
    dlk_history *h = dlk_calloc(1, sizeof *h);
    if (h) {
        h->e = dlk_calloc(n ? n : 1, sizeof *h->e);
        h->ci = dlk_calloc(n ? n : 1, sizeof *h->ci);
        h->texts = dlk_calloc(2 * (n ? n : 1), sizeof *h->texts);
    }
    if (!h || !h->e || !h->ci || !h->texts) rc = dlk_err_nomem();
    if (h) h->n = n;
    for (size_t i = 0; i < n && !rc; i++) {
        const dlk_log_file *f = &files[nf - 1 - i];
        uint8_t *data = NULL;
        size_t len = 0;
        rc = dlk_storage_get(dlk_table_storage(t), f->key, &data, &len);
        if (rc == DLK_NOT_FOUND) { /* cleaned up since the listing: the end of history */
            dlk_error_clear();
            rc = DLK_OK;
            h->n = i;
            break;
        }
        if (!rc) rc = fill(h, i, f->version, f->mtime_ms, data, len);
        dlk_storage_bytes_free(data);
        if (rc) rc = dlk_err_context(rc, "%s", f->key);
    }
    dlk_log_files_free(files, nf);
    dlk_table_free(&t);
    if (rc) {
        dlk_history_free(&h);
        return rc;
    }
    *out = h;
    return DLK_OK;
}

size_t dlk_history_count(const dlk_history *h)
{
    return h ? h->n : 0;
}

const dlk_history_entry *dlk_history_get(const dlk_history *h, size_t i)
{
    return h && i < h->n ? &h->e[i] : NULL;
}

void dlk_history_free(dlk_history **hp)
{
    if (!hp || !*hp) return;
    dlk_history *h = *hp;
    /* slots past a shortened n were never filled */
    for (size_t i = 0; h->ci && i < h->n; i++)
        json_decref(h->ci[i]);
    for (size_t i = 0; h->texts && i < 2 * h->n; i++)
        free(h->texts[i]);
    dlk_free(h->e);
    dlk_free(h->ci);
    dlk_free(h->texts);
    dlk_free(h);
    *hp = NULL;
}
