/* ops/records_pipe.c - the records reader on its own thread (see
 * records_pipe.h): batches handed over through a small bounded queue. */
#include "ops/records_pipe.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/str.h"

#include <pthread.h>
#include <string.h>

typedef struct item {
    struct ArrowArray batch; /* release NULL: the end (or the error) */
    char **vals;             /* n_part copies (NULL: null value) */
    int status;              /* the reader's error, after the batches before it */
    char *message, *expected, *actual;
} item;

struct dlk_records_pipe {
    dlk_records_reader *r;
    size_t n_part;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv_put, cv_take;
    item q[DLK_RECORDS_PIPE_DEPTH];
    size_t head, tail; /* taken / put */
    bool stop;         /* the caller is gone */
    bool done;         /* the caller reached the end or the error */
    item cur;          /* the item whose values the caller borrows */
};

static void vals_free(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++)
        dlk_free(v[i]);
    dlk_free(v);
}

static void item_clear(dlk_records_pipe *p, item *it)
{
    dlk_arrow_array_release(&it->batch);
    vals_free(it->vals, p->n_part);
    dlk_free(it->message);
    dlk_free(it->expected);
    dlk_free(it->actual);
    memset(it, 0, sizeof *it);
}

/* Read the next batch into it; true when it ends the stream. */
static bool read_one(dlk_records_pipe *p, item *it)
{
    memset(it, 0, sizeof *it);
    const char *const *vals = NULL;
    int rc = dlk_ops_records_next_part(p->r, &it->batch, &vals);
    if (!rc && it->batch.release && p->n_part) {
        it->vals = dlk_calloc(p->n_part, sizeof(char *));
        if (!it->vals) rc = dlk_err_nomem();
        for (size_t i = 0; i < p->n_part && !rc; i++)
            if (vals && vals[i] && !(it->vals[i] = dlk_strdup(vals[i]))) rc = dlk_err_nomem();
    }
    if (rc) {
        const dlk_error *e = dlk_error_last();
        dlk_arrow_array_release(&it->batch);
        it->status = rc;
        it->message = dlk_strdup(e->message);
        if (e->expected) it->expected = dlk_strdup(e->expected);
        if (e->actual) it->actual = dlk_strdup(e->actual);
        return true;
    }
    return !it->batch.release;
}

static void *reader_main(void *arg)
{
    dlk_records_pipe *p = arg;
    for (bool end = false; !end;) {
        item it;
        end = read_one(p, &it);
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->tail - p->head == DLK_RECORDS_PIPE_DEPTH)
            pthread_cond_wait(&p->cv_take, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            item_clear(p, &it);
            break;
        }
        p->q[p->tail % DLK_RECORDS_PIPE_DEPTH] = it;
        p->tail++;
        pthread_cond_signal(&p->cv_put);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

int dlk_records_pipe_start(dlk_records_reader *r, size_t n_part, dlk_records_pipe **out)
{
    *out = NULL;
    dlk_records_pipe *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    p->r = r;
    p->n_part = n_part;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv_put, NULL);
    pthread_cond_init(&p->cv_take, NULL);
    if (pthread_create(&p->thread, NULL, reader_main, p) != 0) {
        dlk_records_pipe_free(p);
        return dlk_err_set(DLK_ERROR, "records: cannot start the reader thread");
    }
    p->started = true;
    *out = p;
    return DLK_OK;
}

int dlk_records_pipe_next(dlk_records_pipe *p, struct ArrowArray *out,
                          const char *const **partition_values)
{
    memset(out, 0, sizeof *out);
    if (partition_values) *partition_values = NULL;
    item_clear(p, &p->cur);
    if (p->done) return DLK_OK;
    pthread_mutex_lock(&p->mu);
    while (p->head == p->tail)
        pthread_cond_wait(&p->cv_put, &p->mu);
    p->cur = p->q[p->head % DLK_RECORDS_PIPE_DEPTH];
    p->head++;
    pthread_cond_signal(&p->cv_take);
    pthread_mutex_unlock(&p->mu);
    item *it = &p->cur;
    if (it->status) {
        p->done = true;
        if (it->status == DLK_SCHEMA_MISMATCH && it->expected && it->actual)
            return dlk_err_schema_mismatch(it->expected, it->actual, "%s", it->message);
        return dlk_err_set(it->status, "%s", it->message ? it->message : "records: reader failed");
    }
    if (!it->batch.release) {
        p->done = true;
        return DLK_OK;
    }
    *out = it->batch; /* moved to the caller */
    memset(&it->batch, 0, sizeof it->batch);
    if (partition_values) *partition_values = (const char *const *)it->vals;
    return DLK_OK;
}

void dlk_records_pipe_free(dlk_records_pipe *p)
{
    if (!p) return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_broadcast(&p->cv_take);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
    }
    for (size_t k = p->head; k < p->tail; k++)
        item_clear(p, &p->q[k % DLK_RECORDS_PIPE_DEPTH]);
    item_clear(p, &p->cur);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv_put);
    pthread_cond_destroy(&p->cv_take);
    dlk_free(p);
}
