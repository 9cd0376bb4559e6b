/* Log compaction files (x.y.compacted.json) stand in for commits x..y in a
 * snapshot's segment: used when they cover commits after the checkpoint and
 * end before the last version; never for the last commit; a kernel table
 * with compacted files reads the same with and without them, at every
 * version. */
#include "deltalake/table.h"
#include "harness.h"
#include "log/segment.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root[300];

static void put(const char *name, const char *text)
{
    char p[400];
    snprintf(p, sizeof p, "%s/_delta_log/%s", root, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

#define ADD(p)                                                                                     \
    "{\"add\":{\"path\":\"" p                                                                      \
    "\",\"partitionValues\":{},\"size\":1,\"modificationTime\":1,\"dataChange\":true}}\n"
#define REMOVE(p) "{\"remove\":{\"path\":\"" p "\",\"deletionTimestamp\":1,\"dataChange\":true}}\n"

static size_t nfiles(int64_t version, bool *has_marker)
{
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    size_t n = (size_t)-1;
    if (dlk_table_open(root, &t) == 0 && dlk_table_snapshot(t, version, &s) == 0) {
        n = dlk_snapshot_file_count(s);
        *has_marker = false;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(dlk_snapshot_file(s, i)->path, "only-in-compacted")) *has_marker = true;
    } else {
        fprintf(stderr, "snapshot: %s\n", dlk_error_last()->message);
    }
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return n;
}

TEST(synthetic)
{
    snprintf(root, sizeof root, "/tmp/dlk_compacted.%d", (int)getpid());
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/_delta_log'", root, root);
    CHECK_EQ_INT(system(cmd), 0);
    put("00000000000000000000.json",
        "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
        "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
        "\"schemaString\":"
        "\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[]}\",\"partitionColumns\":[],"
        "\"configuration\":{}}}\n" ADD("a"));
    put("00000000000000000001.json", ADD("b"));
    put("00000000000000000002.json", REMOVE("a") ADD("c"));
    put("00000000000000000003.json", ADD("d"));
    /* the compacted 1..2, marked with a file the commits do not have */
    put("00000000000000000001.00000000000000000002.compacted.json",
        ADD("b") REMOVE("a") ADD("c") ADD("only-in-compacted"));
    bool marker = false;
    CHECK_EQ_INT(nfiles(-1, &marker), 4); /* b c d + marker: the compacted file was used */
    CHECK(marker);
    CHECK_EQ_INT(nfiles(2, &marker),
                 2); /* at version 2 the range ends at the last commit: commits */
    CHECK(!marker);
    CHECK_EQ_INT(nfiles(1, &marker), 2);
    CHECK(!marker);
    /* one covering the last commit is never used */
    snprintf(cmd, sizeof cmd,
             "rm '%s/_delta_log/00000000000000000001.00000000000000000002.compacted.json'", root);
    CHECK_EQ_INT(system(cmd), 0);
    put("00000000000000000001.00000000000000000003.compacted.json", ADD("only-in-compacted"));
    CHECK_EQ_INT(nfiles(-1, &marker), 3);
    CHECK(!marker);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK_EQ_INT(system(cmd), 0);
}

/* Spark's table with compacted files: same files at every version with and
 * without them. */
TEST(kernel_table)
{
    char tar[300];
    harness_testdata(tar, sizeof tar, "delta/kernel/compacted-log-files-table.tar.zst");
    char base[100], cmd[2000];
    snprintf(base, sizeof base, "/tmp/dlk_compacted_k.%d", (int)getpid() % 1000000);
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s' && mkdir -p '%s/a' '%s/b' && tar --zstd -xf '%s' -C '%s/a' && tar --zstd "
             "-xf '%s' -C "
             "'%s/b' && rm '%s'/b/compacted-log-files-table/_delta_log/*.compacted.json",
             base, base, base, tar, base, tar, base, base);
    CHECK_EQ_INT(system(cmd), 0);
    dlk_table *ta = NULL, *tb = NULL;
    snprintf(root, sizeof root, "%s/a/compacted-log-files-table", base);
    CHECK_OK(dlk_table_open(root, &ta));
    snprintf(root, sizeof root, "%s/b/compacted-log-files-table", base);
    CHECK_OK(dlk_table_open(root, &tb));
    /* the segment of the latest version uses compacted files */
    dlk_log_segment seg;
    CHECK_OK(dlk_log_segment_build(dlk_table_storage(ta), -1, &seg));
    int used = 0;
    for (size_t i = 0; i < seg.n_commits; i++)
        used += seg.commits[i].first_version != seg.commits[i].version;
    CHECK(used >= 1);
    int64_t latest = seg.version;
    dlk_log_segment_free(&seg);
    for (int64_t v = 0; v <= latest; v++) {
        dlk_snapshot *sa = NULL, *sb = NULL;
        int ra = dlk_table_snapshot(ta, v, &sa), rb = dlk_table_snapshot(tb, v, &sb);
        CHECK_EQ_INT(ra, rb);
        if (!ra && !rb) {
            CHECK_EQ_INT(dlk_snapshot_file_count(sa), dlk_snapshot_file_count(sb));
            for (size_t i = 0; i < dlk_snapshot_file_count(sa) && i < dlk_snapshot_file_count(sb);
                 i++) {
                CHECK_STR(dlk_snapshot_file(sa, i)->path, dlk_snapshot_file(sb, i)->path);
                CHECK_EQ_INT(dlk_snapshot_file(sa, i)->size, dlk_snapshot_file(sb, i)->size);
            }
            CHECK_STR(dlk_snapshot_schema_string(sa), dlk_snapshot_schema_string(sb));
        }
        dlk_snapshot_free(&sa);
        dlk_snapshot_free(&sb);
    }
    dlk_table_free(&ta);
    dlk_table_free(&tb);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    CHECK_EQ_INT(system(cmd), 0);
}

int main(void)
{
    RUN(synthetic);
    RUN(kernel_table);
    return harness_done();
}
