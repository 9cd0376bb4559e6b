/*
 * cli/cmd_optimize.c - `deltalake optimize TABLE [--zorder a,b] [--where
 * PARTITION_PREDICATE] [--target-size BYTES] [--min-size BYTES]`: compact
 * small files (dlk_table_optimize); prints the result as one JSON object.
 */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool parse_size(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-' || v == 0) {
        cli_usage_error("optimize", "%s needs a positive number of bytes, got '%s'", opt, s);
        return false;
    }
    unsigned long long mul = 1;
    if (*end && !strcmp(end, "k"))
        mul = 1ull << 10;
    else if (*end && (!strcmp(end, "KiB") || !strcmp(end, "K")))
        mul = 1ull << 10;
    else if (*end && (!strcmp(end, "m") || !strcmp(end, "M") || !strcmp(end, "MiB")))
        mul = 1ull << 20;
    else if (*end && (!strcmp(end, "g") || !strcmp(end, "G") || !strcmp(end, "GiB")))
        mul = 1ull << 30;
    else if (*end) {
        cli_usage_error("optimize", "%s: unknown size suffix in '%s' (K, M, G)", opt, s);
        return false;
    }
    *out = v * mul;
    return true;
}

int cli_cmd_optimize(int argc, char **argv)
{
    const char *table = NULL, *zorder = NULL, *where = NULL, *target = NULL, *min = NULL;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("optimize")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--zorder", &zorder)) ||
            (r = cli_opt_value(argc, argv, &i, "--where", &where)) ||
            (r = cli_opt_value(argc, argv, &i, "--target-size", &target)) ||
            (r = cli_opt_value(argc, argv, &i, "--min-size", &min))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("optimize", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("optimize", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("optimize", "TABLE is required");
    dlk_optimize_options o = DLK_OPTIMIZE_OPTIONS_INIT;
    o.where = where;
    if (target && !parse_size("--target-size", target, &o.target_size)) return CLI_USAGE;
    if (min && !parse_size("--min-size", min, &o.min_size)) return CLI_USAGE;
    char *zcopy = NULL;
    const char *cols[16];
    if (zorder) {
        zcopy = strdup(zorder);
        if (!zcopy) return CLI_ERROR;
        for (char *tok = strtok(zcopy, ","); tok; tok = strtok(NULL, ",")) {
            while (*tok == ' ')
                tok++;
            size_t l = strlen(tok);
            while (l && tok[l - 1] == ' ')
                tok[--l] = 0;
            if (!*tok) continue;
            if (o.n_zorder_cols == 16) {
                free(zcopy);
                return cli_usage_error("optimize", "--zorder: at most 16 columns");
            }
            cols[o.n_zorder_cols++] = tok;
        }
        if (!o.n_zorder_cols) {
            free(zcopy);
            return cli_usage_error("optimize", "--zorder needs column names");
        }
        o.zorder_cols = cols;
    }
    dlk_optimize_result r;
    int rc = dlk_table_optimize(table, &o, &r);
    if (rc) {
        free(zcopy);
        return cli_fail("optimize");
    }
    printf("{\"version\":%lld,\"files_added\":%lld,\"files_removed\":%lld,\"bytes_before\":%lld,"
           "\"bytes_after\":%lld,\"partitions_optimized\":%lld,\"rows\":%lld,\"z_order_columns\":[",
           (long long)r.version, (long long)r.files_added, (long long)r.files_removed,
           (long long)r.bytes_before, (long long)r.bytes_after, (long long)r.partitions_optimized,
           (long long)r.rows);
    for (size_t i = 0; i < o.n_zorder_cols; i++) {
        /* column names: print as JSON strings (escape quotes and backslashes) */
        putchar(i ? ',' : '"');
        if (i) putchar('"');
        for (const char *p = cols[i]; *p; p++) {
            if (*p == '"' || *p == '\\') putchar('\\');
            putchar(*p);
        }
        putchar('"');
    }
    printf("]}\n");
    free(zcopy);
    return CLI_OK;
}
