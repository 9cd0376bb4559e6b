/* ingest/records_pipe.c - NDJSON chunks read by worker threads (see
 * records_pipe.h): a worker takes the next chunk of whole lines under the
 * lock, converts it with its own records reader, and files the batches
 * under the chunk's sequence number; the caller takes chunks in order. */
#include "ingest/records_pipe.h"
#include "arrow/arrow.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/str.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#define CHUNK_BYTES ((size_t)4 << 20)
#define MAX_WORKERS 16

typedef struct out_batch {
    struct ArrowArray batch;
    char **vals; /* n_part copies (NULL: null value) */
} out_batch;

typedef struct chunk {
    uint64_t seq;
    char *owned;      /* text read from the file (NULL: a slice of the caller's text) */
    const char *text; /* whole lines */
    size_t len;
    int64_t first_line;
    bool done;    /* converted (or failed) */
    out_batch *b; /* the batches, in the reader's order */
    size_t nb, capb, next;
    int64_t records;
    int status; /* the first error of the chunk, after its batches */
    char *message, *expected, *actual;
    struct chunk *link; /* list of chunks in flight, by seq */
} chunk;

struct dlk_records_pipe {
    struct ArrowSchema schema;
    dlk_records_options opts;
    size_t n_part;
    FILE *f;
    const char *text;
    size_t n, pos;
    dlk_buf carry; /* a partial last line read from the file */
    bool eof;      /* no more chunks */
    int64_t lines; /* lines cut into chunks so far */
    int read_status;
    char *read_message; /* its message (set on a worker thread) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th[MAX_WORKERS];
    int nth;
    uint64_t next_seq; /* next chunk to cut */
    uint64_t take_seq; /* next chunk the caller takes */
    size_t in_flight;  /* chunks cut and not yet finished by the caller */
    size_t max_in_flight;
    chunk *chunks; /* in flight, any order */
    bool stop;
    chunk *cur; /* the caller's chunk */
    char **cur_vals;
    int64_t count;
    bool done;
};

static void vals_free(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++)
        dlk_free(v[i]);
    dlk_free(v);
}

static void chunk_free(dlk_records_pipe *p, chunk *c)
{
    if (!c) return;
    for (size_t i = c->next; i < c->nb; i++) {
        dlk_arrow_array_release(&c->b[i].batch);
        vals_free(c->b[i].vals, p->n_part);
    }
    dlk_free(c->b);
    dlk_free(c->owned);
    dlk_free(c->message);
    dlk_free(c->expected);
    dlk_free(c->actual);
    dlk_free(c);
}

static int64_t count_lines(const char *s, size_t n)
{
    int64_t k = 0;
    for (const char *e = s + n; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
        k++;
    return k;
}

static void read_fail(dlk_records_pipe *p, int rc)
{
    p->read_status = rc;
    p->read_message = dlk_strdup(dlk_error_last()->message);
}

/* Cut the next chunk (under the lock). NULL at the end or on a read error
 * (p->read_status). */
static chunk *cut_chunk(dlk_records_pipe *p)
{
    if (p->eof) return NULL;
    chunk *c = dlk_calloc(1, sizeof *c);
    if (!c) {
        read_fail(p, dlk_err_nomem());
        p->eof = true;
        return NULL;
    }
    if (!p->f) {
        size_t take = p->n - p->pos;
        if (take > CHUNK_BYTES) {
            const char *nl =
                memchr(p->text + p->pos + CHUNK_BYTES, '\n', p->n - p->pos - CHUNK_BYTES);
            take = nl ? (size_t)(nl - (p->text + p->pos)) + 1 : p->n - p->pos;
        }
        c->text = p->text + p->pos;
        c->len = take;
        p->pos += take;
        if (p->pos >= p->n) p->eof = true;
    } else {
        dlk_buf b = p->carry;
        memset(&p->carry, 0, sizeof p->carry);
        if (dlk_buf_reserve(&b, CHUNK_BYTES + 1)) {
            dlk_buf_free(&b);
            dlk_free(c);
            read_fail(p, dlk_err_nomem());
            p->eof = true;
            return NULL;
        }
        size_t got = fread(b.data + b.len, 1, CHUNK_BYTES, p->f);
        b.len += got;
        if (got < CHUNK_BYTES) {
            if (ferror(p->f)) {
                dlk_buf_free(&b);
                dlk_free(c);
                read_fail(p, dlk_err_set(DLK_IO, "input: read failed: %s", strerror(errno)));
                p->eof = true;
                return NULL;
            }
            p->eof = true;
        }
        /* keep the partial last line for the next chunk */
        size_t keep = 0;
        if (!p->eof) {
            size_t cut = b.len;
            while (cut > 0 && b.data[cut - 1] != '\n')
                cut--;
            keep = b.len - cut;
            if (keep && dlk_buf_append(&p->carry, b.data + cut, keep)) {
                dlk_buf_free(&b);
                dlk_free(c);
                read_fail(p, dlk_err_nomem());
                p->eof = true;
                return NULL;
            }
        }
        c->len = b.len - keep;
        c->owned = (char *)b.data;
        c->text = c->owned ? c->owned : "";
    }
    c->seq = p->next_seq++;
    c->first_line = p->lines + 1;
    p->lines += count_lines(c->text, c->len);
    c->link = p->chunks;
    p->chunks = c;
    p->in_flight++;
    return c;
}

static int add_batch(dlk_records_pipe *p, chunk *c, struct ArrowArray *a, const char *const *vals)
{
    if (c->nb == c->capb) {
        size_t nc = c->capb ? c->capb * 2 : 16;
        out_batch *nb = dlk_realloc(c->b, nc * sizeof *nb);
        if (!nb) return dlk_err_nomem();
        c->b = nb;
        c->capb = nc;
    }
    out_batch *o = &c->b[c->nb];
    o->vals = NULL;
    if (p->n_part) {
        if (!(o->vals = dlk_calloc(p->n_part, sizeof(char *)))) return dlk_err_nomem();
        for (size_t i = 0; i < p->n_part; i++)
            if (vals && vals[i] && !(o->vals[i] = dlk_strdup(vals[i]))) {
                vals_free(o->vals, p->n_part);
                return dlk_err_nomem();
            }
    }
    o->batch = *a;
    memset(a, 0, sizeof *a);
    c->nb++;
    return DLK_OK;
}

static void convert_chunk(dlk_records_pipe *p, chunk *c)
{
    dlk_records_options o = p->opts;
    o.first_line = c->first_line;
    dlk_records_reader *r = NULL;
    int rc = dlk_ops_records_open_mem(&p->schema, &o, c->text, c->len, &r);
    while (!rc) {
        struct ArrowArray a;
        const char *const *vals = NULL;
        if ((rc = dlk_ops_records_next_part(r, &a, &vals))) break;
        if (!a.release) break;
        rc = add_batch(p, c, &a, vals);
        dlk_arrow_array_release(&a);
    }
    if (rc) {
        const dlk_error *e = dlk_error_last();
        c->status = rc;
        c->message = dlk_strdup(e->message);
        if (e->expected) c->expected = dlk_strdup(e->expected);
        if (e->actual) c->actual = dlk_strdup(e->actual);
    }
    c->records = dlk_ops_records_count(r);
    dlk_ops_records_free(r);
    dlk_free(c->owned); /* the batches own their data: the text can go */
    c->owned = NULL;
    c->text = NULL;
}

static void *worker(void *arg)
{
    dlk_records_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !p->eof && p->in_flight >= p->max_in_flight)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->eof) break;
        chunk *c = cut_chunk(p);
        if (!c) {
            pthread_cond_broadcast(&p->cv); /* the end (or a read error) is known */
            break;
        }
        pthread_mutex_unlock(&p->mu);
        convert_chunk(p, c);
        pthread_mutex_lock(&p->mu);
        c->done = true;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int dlk_records_pipe_start(const struct ArrowSchema *schema, const dlk_records_options *opts,
                           FILE *f, const char *text, size_t n, int workers, dlk_records_pipe **out)
{
    *out = NULL;
    dlk_records_pipe *p = dlk_calloc(1, sizeof *p);
    if (!p) return dlk_err_nomem();
    int rc = dlk_arrow_schema_copy(schema, &p->schema);
    if (rc) {
        dlk_free(p);
        return rc;
    }
    dlk_records_options d = DLK_RECORDS_OPTIONS_INIT;
    p->opts = opts ? *opts : d;
    p->n_part = p->opts.n_partition_cols;
    p->f = f;
    p->text = text ? text : "";
    p->n = text ? n : 0;
    if (!f && p->n == 0) p->eof = true;
    if (workers < 1) workers = 1;
    if (workers > MAX_WORKERS) workers = MAX_WORKERS;
    p->max_in_flight = (size_t)workers + 2;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->th[i], NULL, worker, p) != 0) {
            dlk_records_pipe_free(p);
            return dlk_err_set(DLK_ERROR, "records: cannot start a reader thread");
        }
        p->nth++;
    }
    *out = p;
    return DLK_OK;
}

int dlk_records_pipe_next(dlk_records_pipe *p, struct ArrowArray *out,
                          const char *const **partition_values)
{
    memset(out, 0, sizeof *out);
    if (partition_values) *partition_values = NULL;
    vals_free(p->cur_vals, p->n_part);
    p->cur_vals = NULL;
    for (;;) {
        if (p->done) return DLK_OK;
        chunk *c = p->cur;
        if (c && c->next < c->nb) {
            out_batch *o = &c->b[c->next++];
            *out = o->batch;
            p->cur_vals = o->vals;
            if (partition_values) *partition_values = (const char *const *)p->cur_vals;
            return DLK_OK;
        }
        if (c) {
            int status = c->status;
            if (status) {
                p->done = true;
                int rc =
                    status == DLK_SCHEMA_MISMATCH && c->expected && c->actual
                        ? dlk_err_schema_mismatch(c->expected, c->actual, "%s", c->message)
                        : dlk_err_set(status, "%s", c->message ? c->message : "records: failed");
                return rc;
            }
            p->count += c->records;
            chunk_free(p, c);
            p->cur = NULL;
            pthread_mutex_lock(&p->mu);
            p->in_flight--;
            p->take_seq++;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
        /* wait for chunk take_seq, or the end */
        pthread_mutex_lock(&p->mu);
        for (;;) {
            chunk **pp = &p->chunks;
            while (*pp && (*pp)->seq != p->take_seq)
                pp = &(*pp)->link;
            if (*pp && (*pp)->done) {
                p->cur = *pp;
                *pp = p->cur->link;
                break;
            }
            if (!*pp && p->eof && p->take_seq >= p->next_seq) break; /* all taken */
            pthread_cond_wait(&p->cv, &p->mu);
        }
        int read_status = p->read_status;
        pthread_mutex_unlock(&p->mu);
        if (!p->cur) {
            p->done = true;
            if (read_status)
                return dlk_err_set(read_status, "%s",
                                   p->read_message ? p->read_message : "input: read failed");
            return DLK_OK;
        }
    }
}

int64_t dlk_records_pipe_count(const dlk_records_pipe *p)
{
    return p ? p->count : 0;
}

void dlk_records_pipe_free(dlk_records_pipe *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->nth; i++)
        pthread_join(p->th[i], NULL);
    while (p->chunks) {
        chunk *c = p->chunks;
        p->chunks = c->link;
        chunk_free(p, c);
    }
    chunk_free(p, p->cur);
    vals_free(p->cur_vals, p->n_part);
    dlk_buf_free(&p->carry);
    dlk_free(p->read_message);
    dlk_arrow_schema_release(&p->schema);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    dlk_free(p);
}
