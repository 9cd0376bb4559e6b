/*
 * bench/pipeline_probe.c - the library's ingest pipeline without Delta:
 * NDJSON records -> Arrow batches (ops/records) -> one snappy Parquet file
 * (parquet/writer), no partitioning and no commit. It measures (and lets
 * perf profile) the conversion and encoding costs that `deltalake write`
 * pays, before the write path is built. Uses internal headers (bench only).
 *
 *   pipeline_probe --input FILE.ndjson --schema DDL [--out FILE.parquet] [--convert-only]
 * Prints {"rows":N,"file_size":B} on stdout.
 */
#include "core/schema_ddl.h"
#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "ops/records.h"
#include "parquet/writer.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
    const dlk_error *e = dlk_error_last();
    fprintf(stderr, "pipeline_probe: %s: %s\n", what, e ? e->message : "error");
    return 1;
}

int main(int argc, char **argv)
{
    const char *input = NULL, *ddl = NULL, *outp = NULL;
    int convert_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--input") && i + 1 < argc)
            input = argv[++i];
        else if (!strcmp(argv[i], "--schema") && i + 1 < argc)
            ddl = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            outp = argv[++i];
        else if (!strcmp(argv[i], "--convert-only"))
            convert_only = 1;
        else {
            fprintf(stderr, "usage: pipeline_probe --input FILE --schema DDL [--out FILE] "
                            "[--convert-only]\n");
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
    dlk_pq_sink sink;
    dlk_pq_writer *w = NULL;
    if (!convert_only) {
        if (dlk_pq_sink_file_open(outp, &sink) != DLK_OK)
            return fail(outp);
        if (dlk_pq_writer_open(&schema, NULL, sink, &w) != DLK_OK)
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
        if (dlk_pq_sink_file_close(&sink) != DLK_OK)
            return fail("close");
    }
    dlk_ops_records_free(rd);
    fclose(f);
    schema.release(&schema);
    printf("{\"rows\":%" PRId64 ",\"file_size\":%" PRIu64 "}\n", rows, size);
    return 0;
}
