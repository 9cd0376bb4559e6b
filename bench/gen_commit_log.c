/*
 * bench/gen_commit_log.c - write a Delta log of N commits without a
 * checkpoint, for the snapshot-load benchmark: version 0 holds protocol,
 * metaData and one add; every later version holds a commitInfo and one add.
 * Only the log is written (the data files it names do not exist; a
 * snapshot load reads the log only).
 *
 *   gen_commit_log --dir TABLE --commits N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    const char *dir = NULL;
    long n = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--commits"))
            n = strtol(argv[i + 1], NULL, 10);
    }
    if (!dir || n <= 0 || n > 100000000) {
        fprintf(stderr, "usage: gen_commit_log --dir TABLE --commits N\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        perror(path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/_delta_log", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        perror(path);
        return 1;
    }
    const long long t0 = 1704067200000LL;
    for (long v = 0; v < n; v++) {
        snprintf(path, sizeof path, "%s/_delta_log/%020ld.json", dir, v);
        FILE *f = fopen(path, "wb");
        if (!f) {
            perror(path);
            return 1;
        }
        fprintf(f,
                "{\"commitInfo\":{\"timestamp\":%lld,\"operation\":\"WRITE\",\"operationParameters\":"
                "{\"mode\":\"Append\"},\"isBlindAppend\":true}}\n",
                t0 + v * 1000);
        if (v == 0) {
            fputs("{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n", f);
            fprintf(f,
                    "{\"metaData\":{\"id\":\"6f2c1a52-0d1e-4c55-9a59-2f6b1c7e0001\",\"format\":"
                    "{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\"{\\\"type\\\":"
                    "\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":"
                    "\\\"long\\\",\\\"nullable\\\":false,\\\"metadata\\\":{}},{\\\"name\\\":"
                    "\\\"value\\\",\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,"
                    "\\\"metadata\\\":{}}]}\",\"partitionColumns\":[],\"configuration\":{},"
                    "\"createdTime\":%lld}}\n",
                    t0);
        }
        fprintf(f,
                "{\"add\":{\"path\":\"part-%08ld-3b0f6e7c-0000-4000-8000-000000000000-c000.snappy."
                "parquet\",\"partitionValues\":{},\"size\":1024,\"modificationTime\":%lld,"
                "\"dataChange\":true,\"stats\":\"{\\\"numRecords\\\":10,\\\"minValues\\\":"
                "{\\\"id\\\":%ld},\\\"maxValues\\\":{\\\"id\\\":%ld},\\\"nullCount\\\":"
                "{\\\"id\\\":0}}\"}}\n",
                v, t0 + v * 1000, v * 10, v * 10 + 9);
        if (fclose(f)) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
