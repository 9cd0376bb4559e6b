/*
 * cli/cmd_describe.c - `deltalake describe TABLE [--version N] [--format F]`:
 * version, schema, partitioning, properties and protocol of a snapshot.
 */
#include "cli.h"
#include "output.h"
#include "deltalake/deltalake.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int print_table(const dlk_snapshot *s, const char *location)
{
    int r, w;
    dlk_snapshot_protocol(s, &r, &w);
    printf("table:          %s\n", location);
    printf("version:        %lld\n", (long long)dlk_snapshot_version(s));
    const char *id = dlk_snapshot_table_id(s), *name = dlk_snapshot_table_name(s);
    if (id) printf("id:             %s\n", id);
    if (name) printf("name:           %s\n", name);
    printf("protocol:       reader %d, writer %d\n", r, w);
    const char *const *f;
    size_t n = dlk_snapshot_reader_features(s, &f);
    if (f) {
        printf("reader features:");
        for (size_t i = 0; i < n; i++)
            printf(" %s", f[i]);
        printf("\n");
    }
    n = dlk_snapshot_writer_features(s, &f);
    if (f) {
        printf("writer features:");
        for (size_t i = 0; i < n; i++)
            printf(" %s", f[i]);
        printf("\n");
    }
    printf("column mapping: %s\n", dlk_snapshot_column_mapping_mode(s));
    size_t np = dlk_snapshot_partition_column_count(s);
    printf("partitioned by:");
    for (size_t i = 0; i < np; i++)
        printf("%s%s", i ? ", " : " ", dlk_snapshot_partition_column(s, i));
    printf("%s\n", np ? "" : " (none)");
    int64_t total = 0;
    for (size_t i = 0; i < dlk_snapshot_file_count(s); i++)
        total += dlk_snapshot_file(s, i)->size;
    char human[32];
    cli_human_bytes(total, human, sizeof human);
    printf("files:          %zu (%s)\n", dlk_snapshot_file_count(s), human);
    printf("schema:\n");
    const struct ArrowSchema *sc = dlk_snapshot_schema(s);
    for (int64_t i = 0; i < sc->n_children; i++) {
        char *t = NULL;
        if (dlk_type_name(sc->children[i], &t)) return CLI_ERROR;
        printf("  %-30s %s%s\n", sc->children[i]->name, t,
               (sc->children[i]->flags & ARROW_FLAG_NULLABLE) ? "" : " not null");
        dlk_string_free(t);
    }
    size_t nprop = dlk_snapshot_property_count(s);
    if (nprop) printf("properties:\n");
    for (size_t i = 0; i < nprop; i++) {
        const char *k, *v;
        dlk_snapshot_property(s, i, &k, &v);
        printf("  %s = %s\n", k, v ? v : "null");
    }
    return CLI_OK;
}

int cli_cmd_describe(int argc, char **argv)
{
    const char *table = NULL, *version = NULL, *format = NULL;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("describe")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--version", &version))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--format", &format))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("describe", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("describe", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("describe", "TABLE is required");
    cli_format fmt = CLI_FMT_TABLE;
    if (format && !cli_parse_format("describe", format, &fmt)) return CLI_USAGE;
    long long v = -1;
    if (version) {
        char *end;
        errno = 0;
        v = strtoll(version, &end, 10);
        if (errno || end == version || *end || v < 0)
            return cli_usage_error("describe", "--version needs a non-negative integer, got '%s'",
                                   version);
    }
    dlk_table *t = NULL;
    dlk_snapshot *s = NULL;
    if (dlk_table_open(table, &t) || dlk_table_snapshot(t, v, &s)) {
        dlk_table_free(&t);
        return cli_fail("describe");
    }
    int rc = CLI_OK;
    if (fmt == CLI_FMT_TABLE || fmt == CLI_FMT_CSV) {
        rc = print_table(s, table);
    } else {
        char *js = NULL;
        if (dlk_snapshot_describe_json(s, &js))
            rc = cli_fail("describe");
        else
            printf("%s\n", js);
        dlk_string_free(js);
    }
    dlk_snapshot_free(&s);
    dlk_table_free(&t);
    return rc;
}
