/*
 * bench/pq_read.c - read Parquet files through our reader (every row group,
 * every column, decoded into Arrow arrays and released) and report rows,
 * uncompressed bytes (the column chunks' total_uncompressed_size from the
 * footers) and the time it took, as one JSON line. The reader benchmark of
 * issue 3 (bench/run.sh case `pqread`, beside DuckDB's read_parquet).
 *
 *   pq_read --files LIST [--size-only]
 * LIST: a text file with one Parquet path per line. --size-only prints the
 * totals from the footers without decoding (to size the measurement).
 */
#include "deltalake/parquet.h"
#include "parquet/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *list = NULL;
    int size_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--files") && i + 1 < argc)
            list = argv[++i];
        else if (!strcmp(argv[i], "--size-only"))
            size_only = 1;
        else {
            fprintf(stderr, "usage: pq_read --files LIST [--size-only]\n");
            return 2;
        }
    }
    if (!list) {
        fprintf(stderr, "usage: pq_read --files LIST [--size-only]\n");
        return 2;
    }
    FILE *lf = fopen(list, "r");
    if (!lf) {
        perror(list);
        return 1;
    }
    char path[4096];
    long long files = 0, rows = 0, row_groups = 0, ubytes = 0, cbytes = 0;
    double t0 = now();
    while (fgets(path, sizeof path, lf)) {
        size_t n = strlen(path);
        while (n && (path[n - 1] == '\n' || path[n - 1] == '\r'))
            path[--n] = 0;
        if (!n) continue;
        dlk_pq_file *f = NULL;
        if (dlk_pq_open_path(path, &f)) {
            fprintf(stderr, "%s: %s\n", path, dlk_error_last()->message);
            return 1;
        }
        files++;
        const dlk_pq_file_meta *m = dlk_pq_file_metadata(f);
        for (int g = 0; g < m->n_row_groups; g++)
            for (int c = 0; c < m->row_groups[g].n_columns; c++) {
                ubytes += m->row_groups[g].columns[c].meta.total_uncompressed_size;
                cbytes += m->row_groups[g].columns[c].meta.total_compressed_size;
            }
        for (int g = 0; g < dlk_pq_num_row_groups(f); g++) {
            row_groups++;
            if (size_only) {
                rows += dlk_pq_row_group_num_rows(f, g);
                continue;
            }
            struct ArrowSchema s;
            struct ArrowArray a;
            if (dlk_pq_read_row_group(f, g, NULL, 0, &s, &a)) {
                fprintf(stderr, "%s: row group %d: %s\n", path, g, dlk_error_last()->message);
                return 1;
            }
            rows += a.length;
            a.release(&a);
            s.release(&s);
        }
        dlk_pq_close(&f);
    }
    fclose(lf);
    double secs = now() - t0;
    printf("{\"files\":%lld,\"row_groups\":%lld,\"rows\":%lld,\"uncompressed_bytes\":%lld,"
           "\"compressed_bytes\":%lld,"
           "\"seconds\":%.6f,\"rows_per_s\":%.0f,\"mb_per_s\":%.1f}\n",
           files, row_groups, rows, ubytes, cbytes, secs, secs > 0 ? rows / secs : 0,
           secs > 0 ? ubytes / 1e6 / secs : 0);
    return 0;
}
