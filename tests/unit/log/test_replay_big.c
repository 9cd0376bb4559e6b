/* Log replay of a large commit file (parsed by two threads: the second half
 * on its own): every action applied in file order (removes in the second
 * half of adds from the first), the commitInfo kept, a bad line in the
 * second half reported with its line number in the whole file. */
#include "deltalake/table.h"
#include "harness.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[200];

static void write_log(int n_adds, int bad_line)
{
    char p[300];
    snprintf(p, sizeof p, "mkdir -p '%s/_delta_log'", root);
    CHECK_EQ_INT(system(p), 0);
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", root);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (!f) return;
    int line = 0;
    fprintf(f, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
    fprintf(
        f,
        "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
        "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"p\\\","
        "\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","
        "\"partitionColumns\":[\"p\"],\"configuration\":{},\"createdTime\":1}}\n");
    line = 2;
    for (int i = 0; i < n_adds; i++) {
        if (++line == bad_line) fprintf(f, "{\"add\":{\"path\":\n");
        /* ~130 bytes a line; stats padded to make the file big */
        fprintf(f,
                "{\"add\":{\"path\":\"p=%d/"
                "f%07d.parquet\",\"partitionValues\":{\"p\":\"%d\"},\"size\":%d,"
                "\"modificationTime\":1,\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":%d,"
                "\\\"pad\\\":\\\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\\"}\"}}\n",
                i % 7, i, i % 7, 100 + i, i);
    }
    /* second half: remove every 10th file of the first half, re-add one */
    for (int i = 0; i < n_adds / 2; i += 10) {
        ++line;
        fprintf(f,
                "{\"remove\":{\"path\":\"p=%d/"
                "f%07d.parquet\",\"deletionTimestamp\":2,\"dataChange\":true}}\n",
                i % 7, i);
    }
    fprintf(
        f,
        "{\"add\":{\"path\":\"p=0/f0000000.parquet\",\"partitionValues\":{\"p\":\"0\"},\"size\":7,"
        "\"modificationTime\":3,\"dataChange\":true}}\n");
    fprintf(f, "{\"commitInfo\":{\"timestamp\":5,\"operation\":\"WRITE\"}}\n");
    fclose(f);
    struct stat sb;
    snprintf(p, sizeof p, "%s/_delta_log/00000000000000000000.json", root);
    CHECK(stat(p, &sb) == 0 && sb.st_size > (8 << 20)); /* big enough for two threads */
}

TEST(big_commit_file)
{
    snprintf(root, sizeof root, "/tmp/dlk_replay_big.%d", (int)getpid());
    int n = 60000;
    write_log(n, -1);
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    CHECK_OK(dlk_table_open(root, &t));
    CHECK_OK(dlk_table_snapshot(t, -1, &s));
    if (s) {
        int removed = (n / 2 + 9) / 10;
        CHECK_EQ_INT(dlk_snapshot_file_count(s), n - removed + 1);
        /* the re-added file has the size of its last add */
        for (size_t i = 0; i < dlk_snapshot_file_count(s); i++) {
            const dlk_file_info *f = dlk_snapshot_file(s, i);
            if (!strcmp(f->path, "p=0/f0000000.parquet")) CHECK_EQ_INT(f->size, 7);
            if (!strcmp(f->path, "p=3/f0000010.parquet")) CHECK(0); /* removed */
            if (!strcmp(f->path, "p=5/f0059999.parquet")) CHECK_EQ_INT(f->size, 100 + 59999);
        }
        /* files ordered by path */
        for (size_t i = 1; i < dlk_snapshot_file_count(s); i++)
            CHECK(strcmp(dlk_snapshot_file(s, i - 1)->path, dlk_snapshot_file(s, i)->path) < 0);
    }
    dlk_snapshot_free(&s);
    /* a bad line late in the file: named with its line number */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
    write_log(n, 55003);
    CHECK_RC(dlk_table_snapshot(t, -1, &s), DLK_CORRUPT);
    CHECK(strstr(dlk_error_last()->message, "line 55003") != NULL);
    fprintf(stderr, "  error: %s\n", dlk_error_last()->message);
    dlk_table_free(&t);
    CHECK_EQ_INT(system(cmd), 0);
}

int main(void)
{
    RUN(big_commit_file);
    return harness_done();
}
