/*
 * tests/unit/parquet/test_pq_fuzz_corpus.c - replays fuzz/corpus (seeds and
 * any crash reproducers saved there) through the libFuzzer entry point as
 * an ordinary test, so regressions show up without a fuzzing build.
 */
#include "harness.h"

#include "../../../fuzz/fuzz_parquet_read.c"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(replay_corpus)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fuzz/corpus", DLK_SOURCE_DIR);
    DIR *d = opendir(dir);
    CHECK(d != NULL); /* fuzz/corpus is part of the repository */
    if (!d) return;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[2048];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(p, "rb");
        if (!fp) continue;
        fseek(fp, 0, SEEK_END);
        long len = ftell(fp);
        rewind(fp);
        uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
        if (b && fread(b, 1, (size_t)len, fp) == (size_t)len) {
            LLVMFuzzerTestOneInput(b, (size_t)len);
            n++;
        }
        free(b);
        fclose(fp);
    }
    closedir(d);
    CHECK(n > 0);
}

int main(void)
{
    RUN(replay_corpus);
    return harness_done();
}
