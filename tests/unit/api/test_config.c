/* Unit tests for the configuration: defaults, validation, TOML loading with
 * the seed's sections, unknown keys and wrong types with line numbers,
 * environment overrides. */
#include "deltalake/config.h"
#include "harness.h"

#include <stdlib.h>

static int load(const char *s, dlk_config *cfg)
{
    dlk_config_free(cfg);
    dlk_config_init(cfg);
    return dlk_config_load_toml_string(s, strlen(s), "deltalake.toml", cfg);
}

TEST(defaults_are_valid)
{
    dlk_config c;
    dlk_config_init(&c);
    CHECK_OK(dlk_config_validate(&c));
    CHECK_EQ_INT(c.retention_hours, 168);
    CHECK_EQ_INT(c.compression, DLK_COMPRESSION_SNAPPY);
    CHECK_EQ_INT(c.file_size_target, 128LL << 20);
    CHECK(c.strict_mode && c.allow_nullable && !c.merge_schema);
    dlk_config_free(&c);
}

TEST(seed_toml)
{
    dlk_config c;
    dlk_config_init(&c);
    const char *s = "[deltalake]\n"
                    "optimize_enabled = true\n"
                    "vacuum_enabled = true\n"
                    "retention_hours = 72\n"
                    "compression = \"zstd\"\n"
                    "parallelism = 4\n"
                    "batch_size = 5000\n"
                    "[deltalake.table]\n"
                    "path = \"/tmp/tables/otel_spans/\"\n"
                    "partition_columns = [\"service_name\", \"date\"]\n"
                    "partition_strategy = \"hash\"\n"
                    "hash_buckets = 32\n"
                    "[deltalake.operations]\n"
                    "upsert_enabled = true\n"
                    "delete_enabled = false\n"
                    "bulk_insert_enabled = true\n"
                    "streaming_enabled = false\n"
                    "[deltalake.schema]\n"
                    "auto_evolution = true\n"
                    "strict_mode = false\n"
                    "allow_nullable = true\n"
                    "merge_schema = true\n"
                    "[deltalake.storage]\n"
                    "file_size_target = 67108864\n"
                    "file_size_max = 134217728\n"
                    "file_size_min = 1048576\n";
    CHECK_OK(load(s, &c));
    CHECK(c.optimize_enabled && c.vacuum_enabled);
    CHECK_EQ_INT(c.retention_hours, 72);
    CHECK_EQ_INT(c.compression, DLK_COMPRESSION_ZSTD);
    CHECK_EQ_INT(c.parallelism, 4);
    CHECK_EQ_INT(c.batch_size, 5000);
    CHECK_STR(c.table_path, "/tmp/tables/otel_spans/");
    CHECK_STR(c.table_name, "otel_spans");
    CHECK_EQ_INT(c.n_partition_columns, 2);
    CHECK_STR(c.partition_columns[1], "date");
    CHECK_EQ_INT(c.partition_strategy, DLK_PARTITION_BY_HASH);
    CHECK_EQ_INT(c.hash_buckets, 32);
    CHECK(!c.delete_enabled && !c.streaming_enabled && c.upsert_enabled);
    CHECK(c.auto_evolution && !c.strict_mode && c.merge_schema);
    CHECK_EQ_INT(c.file_size_min, 1048576);
    dlk_config_free(&c);
}

static void expect(const char *s, int code, const char *needle)
{
    dlk_config c;
    dlk_config_init(&c);
    int rc = load(s, &c);
    if (rc != code || !strstr(dlk_error_last()->message, needle)) {
        fprintf(stderr, "for %s: got %d '%s', wanted %d with '%s'\n", s, rc, dlk_error_last()->message,
                code, needle);
        h_cur_failed = 1;
    }
    dlk_config_free(&c);
}

TEST(errors)
{
    expect("[deltalake]\nretention_hours = 1\ncolour = \"red\"\n", DLK_PARSE, "deltalake.toml:3: unknown key 'deltalake.colour'");
    expect("[other]\nx = 1\n", DLK_PARSE, "deltalake.toml:2: unknown key 'other.x'");
    expect("[deltalake]\nbatch_size = \"big\"\n", DLK_PARSE, "deltalake.toml:2: key 'deltalake.batch_size' must be an integer");
    expect("[deltalake]\ncompression = \"lzma\"\n", DLK_INVALID_ARGUMENT, "unknown codec 'lzma'");
    expect("[deltalake.storage]\nfile_size_min = -5\n", DLK_INVALID_ARGUMENT, "file_size_min");
    expect("[deltalake.storage]\nfile_size_min = 200000000\n", DLK_INVALID_ARGUMENT, "larger than file_size_target");
    expect("[deltalake.storage]\nfile_size_max = 1000\n", DLK_INVALID_ARGUMENT, "larger than file_size_max");
    expect("[deltalake.table]\npartition_columns = [\"a\", \"a\"]\n", DLK_INVALID_ARGUMENT, "listed twice");
    expect("[deltalake.table]\npartition_strategy = \"range\"\n", DLK_PARSE, "'value' or 'hash'");
    expect("[deltalake]\nbatch_size = 0\n", DLK_INVALID_ARGUMENT, "batch_size");
    expect("[deltalake]\nbatch_size = \n", DLK_PARSE, "deltalake.toml:2");
    dlk_config c;
    dlk_config_init(&c);
    c.compression = (dlk_compression)42;
    CHECK_RC(dlk_config_validate(&c), DLK_INVALID_ARGUMENT);
    dlk_config_init(&c);
    c.version = 99;
    CHECK_RC(dlk_config_validate(&c), DLK_INVALID_ARGUMENT);
    CHECK_RC(dlk_config_load_toml("/nonexistent/deltalake.toml", &c), DLK_NOT_FOUND);
    CHECK(strstr(dlk_error_last()->message, "/nonexistent/deltalake.toml") != NULL);
    dlk_config_free(&c);
}

TEST(environment_overrides)
{
    dlk_config c;
    dlk_config_init(&c);
    setenv("DELTALAKE_COMPRESSION", "gzip", 1);
    setenv("DELTALAKE_TABLE_PATH", "/env/table", 1);
    setenv("DELTALAKE_BATCH_SIZE", "777", 1);
    CHECK_OK(load("[deltalake]\ncompression = \"zstd\"\nbatch_size = 10\n", &c));
    CHECK_EQ_INT(c.compression, DLK_COMPRESSION_GZIP);
    CHECK_EQ_INT(c.batch_size, 777);
    CHECK_STR(c.table_path, "/env/table");
    CHECK_STR(c.table_name, "table");
    setenv("DELTALAKE_BATCH_SIZE", "many", 1);
    CHECK_RC(load("", &c), DLK_PARSE);
    CHECK(strstr(dlk_error_last()->message, "DELTALAKE_BATCH_SIZE") != NULL);
    unsetenv("DELTALAKE_COMPRESSION");
    unsetenv("DELTALAKE_TABLE_PATH");
    unsetenv("DELTALAKE_BATCH_SIZE");
    dlk_config_free(&c);
}

int main(void)
{
    RUN(defaults_are_valid);
    RUN(seed_toml);
    RUN(errors);
    RUN(environment_overrides);
    return harness_done();
}
