/*
 * core/metrics.c - per-table operation metrics: a mutex-protected map from
 * table path (trailing '/' dropped) to counters per operation kind, with a
 * bounded reservoir (Vitter's algorithm R, 1024 samples) for the latency
 * percentiles. p50/p95 are nearest-rank over the reservoir.
 */
#define _POSIX_C_SOURCE 200809L
#include "core/metrics.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hashmap.h"
#include "util/time.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RESERVOIR 1024

typedef struct op_slot {
    int64_t count, errors;
    double max_ms, total_ms;
    double samples[RESERVOIR];
    size_t n_samples;
    uint64_t rng;
} op_slot;

typedef struct table_metrics {
    op_slot ops[DLK_OP__COUNT];
} table_metrics;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static dlk_map g_tables;

static size_t key_len(const char *table)
{
    size_t n = strlen(table);
    while (n > 1 && table[n - 1] == '/')
        n--;
    return n;
}

double dlk_ops__ms_since(int64_t t0_ns)
{
    return (double)(dlk_monotonic_ns() - t0_ns) / 1e6;
}

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64* */
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

void dlk_ops__metrics_record(const char *table, dlk_op_kind kind, double ms, bool ok)
{
    if (!table || (int)kind < 0 || kind >= DLK_OP__COUNT) return;
    size_t kl = key_len(table);
    pthread_mutex_lock(&g_lock);
    void *v = NULL;
    if (!dlk_map_get(&g_tables, table, kl, &v)) {
        v = dlk_calloc(1, sizeof(table_metrics));
        if (v && dlk_map_put(&g_tables, table, kl, v, NULL)) {
            dlk_free(v);
            v = NULL;
        }
    }
    if (v) {
        op_slot *s = &((table_metrics *)v)->ops[kind];
        s->count++;
        if (!ok) s->errors++;
        s->total_ms += ms;
        if (ms > s->max_ms) s->max_ms = ms;
        if (s->n_samples < RESERVOIR) {
            s->samples[s->n_samples++] = ms;
        } else {
            uint64_t j = next_rand(&s->rng) % (uint64_t)s->count;
            if (j < RESERVOIR) s->samples[j] = ms;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* nearest rank: the ceil(p * n)-th smallest */
static double pct(const double *sorted, size_t n, double p)
{
    if (!n) return 0;
    size_t r = (size_t)(p * (double)n + 0.999999);
    if (r < 1) r = 1;
    if (r > n) r = n;
    return sorted[r - 1];
}

int dlk_table_op_metrics(const char *table, dlk_op_kind kind, dlk_op_metrics *out)
{
    if (!table || !out || (int)kind < 0 || kind >= DLK_OP__COUNT)
        return dlk_err_set(DLK_INVALID_ARGUMENT, "op_metrics: bad table, kind or output");
    memset(out, 0, sizeof *out);
    double *copy = dlk_malloc(sizeof(double) * RESERVOIR);
    if (!copy) return dlk_err_nomem();
    size_t n = 0;
    pthread_mutex_lock(&g_lock);
    void *v = NULL;
    if (dlk_map_get(&g_tables, table, key_len(table), &v)) {
        const op_slot *s = &((table_metrics *)v)->ops[kind];
        out->count = s->count;
        out->errors = s->errors;
        out->max_ms = s->max_ms;
        out->total_ms = s->total_ms;
        n = s->n_samples;
        memcpy(copy, s->samples, n * sizeof(double));
    }
    pthread_mutex_unlock(&g_lock);
    qsort(copy, n, sizeof(double), cmp_double);
    out->p50_ms = pct(copy, n, 0.50);
    out->p95_ms = pct(copy, n, 0.95);
    dlk_free(copy);
    return DLK_OK;
}

void dlk_table_op_metrics_reset(const char *table)
{
    pthread_mutex_lock(&g_lock);
    if (table) {
        void *v = NULL;
        if (dlk_map_remove(&g_tables, table, key_len(table), &v)) dlk_free(v);
    } else {
        size_t pos = 0;
        dlk_map_entry *e;
        while ((e = dlk_map_next(&g_tables, &pos)))
            dlk_free(e->value);
        dlk_map_free(&g_tables);
    }
    pthread_mutex_unlock(&g_lock);
}
