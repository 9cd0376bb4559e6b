/*
 * bench/commit_driver.c - small commits per second through the public write
 * API (include/deltalake/write.h), in one process: the same small NDJSON
 * batch appended N times to an existing table, one commit each (with the
 * local store's fsync and put-if-absent), automatic checkpoints included.
 *
 *   commit_driver --table T --input SMALL.ndjson --commits N
 * Prints {"commits":N,"seconds":S,"commits_per_s":R,"last_version":V}.
 */
#include "deltalake/errors.h"
#include "deltalake/write.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *table = NULL, *input = NULL;
    long commits = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--table"))
            table = argv[i + 1];
        else if (!strcmp(argv[i], "--input"))
            input = argv[i + 1];
        else if (!strcmp(argv[i], "--commits"))
            commits = strtol(argv[i + 1], NULL, 10);
    }
    if (!table || !input || commits <= 0) {
        fprintf(stderr, "usage: commit_driver --table T --input SMALL.ndjson --commits N\n");
        return 2;
    }
    FILE *f = fopen(input, "rb");
    if (!f) {
        perror(input);
        return 1;
    }
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    dlk_write_options opts = DLK_WRITE_OPTIONS_INIT;
    dlk_write_result res;
    memset(&res, 0, sizeof res);
    double t0 = now_s();
    for (long c = 0; c < commits; c++) {
        if (dlk_table_write_text(table, text, n, &opts, &res) != DLK_OK) {
            fprintf(stderr, "commit_driver: commit %ld: %s\n", c, dlk_error_last()->message);
            return 1;
        }
    }
    double t = now_s() - t0;
    printf("{\"commits\":%ld,\"seconds\":%.6f,\"commits_per_s\":%.1f,\"last_version\":%" PRId64 "}\n",
           commits, t, (double)commits / t, res.version);
    return 0;
}
