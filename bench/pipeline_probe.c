/*
 * bench/pipeline_probe.c - the library's ingest pipeline without Delta:
 * NDJSON records -> Arrow batches (ingest/records) -> one snappy Parquet file
 * (parquet/writer), no partitioning and no commit. It measures (and lets
 * perf profile) the conversion and encoding costs that `deltalake write`
 * pays, before the write path is built. Uses internal headers (bench only).
 *
 *   pipeline_probe --input FILE.ndjson --schema DDL [--out FILE.parquet] [--convert-only]
 *                  [--write-only]
 * Prints {"rows":N,"file_size":B} on stdout. --write-only measures the
 * Parquet writer alone (issue 4's write throughput): every batch is
 * converted into memory first, then only the writing of them to --out is
 * timed, and the JSON also has "write_s" (seconds of the write, incl. close
 * and fsync), "write_cpu_s" (CPU seconds of it) and "arrow_bytes" (the
 * in-memory size of the batches).
 */
#include "core/schema_ddl.h"
#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/sys/storage.h"
#include "ingest/records.h"
#include "parquet/writer.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int upload_write(void *up, const void *p, size_t n)
{
    return dlk_storage_upload_write(up, p, n);
}

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Bytes of an array's buffers (validity bits rounded up, offsets, values). */
static uint64_t array_bytes(const struct ArrowSchema *s, const struct ArrowArray *a)
{
    uint64_t n = a->null_count ? (uint64_t)(a->length + 7) / 8 : 0;
    const char *f = s->format;
    if (!strcmp(f, "u") || !strcmp(f, "z")) {
        const int32_t *o = a->buffers[1];
        n += (uint64_t)(a->length + 1) * 4 + (uint64_t)(o[a->offset + a->length] - o[a->offset]);
    } else if (!strcmp(f, "+l") || !strcmp(f, "+m")) {
        n += (uint64_t)(a->length + 1) * 4;
    } else if (!strcmp(f, "b")) {
        n += (uint64_t)(a->length + 7) / 8;
    } else if (strcmp(f, "+s")) {
        int w = f[0] == 'l' || f[0] == 'g' || !strncmp(f, "ts", 2) ? 8 : f[0] == 'd' && f[1] == ':' ? 16 : 4;
        n += (uint64_t)a->length * (uint64_t)w;
    }
    for (int64_t i = 0; i < a->n_children; i++) n += array_bytes(s->children[i], a->children[i]);
    return n;
}

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "pipeline_probe: %s: %s\n", what, e ? e->message : "error");
    return 1;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *ddl = NULL, *outp = NULL;
    int convert_only = 0, write_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--input") && i + 1 < argc)
            input = argv[++i];
        else if (!strcmp(argv[i], "--schema") && i + 1 < argc)
            ddl = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            outp = argv[++i];
        else if (!strcmp(argv[i], "--convert-only"))
            convert_only = 1;
        else if (!strcmp(argv[i], "--write-only"))
            write_only = 1;
        else {
            fprintf(stderr, "usage: pipeline_probe --input FILE --schema DDL [--out FILE] "
                            "[--convert-only | --write-only]\n");
            return 2;
        }
    }
    if (!input || !ddl || (!outp && !convert_only)) {
        fprintf(stderr, "pipeline_probe: --input, --schema and --out (or --convert-only) needed\n");
        return 2;
    }
    struct ArrowSchema schema;
    if (dlk_core_schema_ddl_parse(ddl, &schema) != DLK_OK)
        return fail("schema");
    FILE *f = fopen(input, "rb");
    if (!f) {
        perror(input);
        return 1;
    }
    dlk_records_options ro = DLK_RECORDS_OPTIONS_INIT;
    dlk_records_reader *rd = NULL;
    if (dlk_ops_records_open(&schema, &ro, f, &rd) != DLK_OK)
        return fail("records");
    if (write_only) {
        /* all batches in memory first; then time the writer alone */
        struct ArrowArray *bs = NULL;
        size_t nb = 0, cap = 0;
        int64_t rows = 0;
        uint64_t bytes = 0;
        for (;;) {
            if (nb == cap) {
                cap = cap ? cap * 2 : 64;
                bs = realloc(bs, cap * sizeof *bs);
                if (!bs) return fail("memory");
            }
            if (dlk_ops_records_next(rd, &bs[nb]) != DLK_OK) return fail(input);
            if (!bs[nb].release) break;
            rows += bs[nb].length;
            bytes += array_bytes(&schema, &bs[nb]);
            nb++;
        }
        /* the file is a storage upload, as the write path makes data files */
        dlk_storage *st = NULL;
        dlk_storage_upload *up = NULL;
        dlk_pq_writer *w = NULL;
        dlk_pq_write_result *res = NULL;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (dlk_storage_open_local(".", &st) != DLK_OK ||
            dlk_storage_upload_open(st, outp, &up) != DLK_OK)
            return fail(outp);
        if (dlk_pq_writer_open(&schema, NULL, (dlk_pq_sink){upload_write, up}, &w) != DLK_OK)
            return fail("writer");
        for (size_t i = 0; i < nb; i++)
            if (dlk_pq_writer_write(w, &bs[i]) != DLK_OK) return fail("write");
        if (dlk_pq_writer_close(w, &res) != DLK_OK) return fail("close");
        if (dlk_storage_upload_commit(&up) != DLK_OK) return fail("close");
        dlk_storage_free(&st);
        double t1 = clock_s(CLOCK_MONOTONIC), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        printf("{\"rows\":%" PRId64 ",\"file_size\":%" PRIu64 ",\"write_s\":%.6f,\"write_cpu_s\":%.6f,"
               "\"arrow_bytes\":%" PRIu64 "}\n",
               rows, res->file_size, t1 - t0, c1 - c0, bytes);
        dlk_pq_write_result_free(res);
        for (size_t i = 0; i < nb; i++) bs[i].release(&bs[i]);
        free(bs);
        dlk_ops_records_free(rd);
        fclose(f);
        schema.release(&schema);
        return 0;
    }
    dlk_storage *st = NULL;
    dlk_storage_upload *up = NULL;
    dlk_pq_writer *w = NULL;
    if (!convert_only) {
        if (dlk_storage_open_local(".", &st) != DLK_OK ||
            dlk_storage_upload_open(st, outp, &up) != DLK_OK)
            return fail(outp);
        if (dlk_pq_writer_open(&schema, NULL, (dlk_pq_sink){upload_write, up}, &w) != DLK_OK)
            return fail("writer");
    }
    int64_t rows = 0;
    for (;;) {
        struct ArrowArray batch;
        if (dlk_ops_records_next(rd, &batch) != DLK_OK)
            return fail(input);
        if (!batch.release)
            break;
        rows += batch.length;
        if (w && dlk_pq_writer_write(w, &batch) != DLK_OK) {
            batch.release(&batch);
            return fail("write");
        }
        batch.release(&batch);
    }
    uint64_t size = 0;
    if (w) {
        dlk_pq_write_result *res = NULL;
        if (dlk_pq_writer_close(w, &res) != DLK_OK)
            return fail("close");
        size = res->file_size;
        dlk_pq_write_result_free(res);
        if (dlk_storage_upload_commit(&up) != DLK_OK) return fail("close");
        dlk_storage_free(&st);
    }
    dlk_ops_records_free(rd);
    fclose(f);
    schema.release(&schema);
    printf("{\"rows\":%" PRId64 ",\"file_size\":%" PRIu64 "}\n", rows, size);
    return 0;
}
