/*
 * cli/cmd_restore.c - `deltalake restore TABLE (--version N | --as-of
 * TIMESTAMP)` (--timestamp is an alias of --as-of): commit a version whose files equal an earlier
 * one's (dlk_table_restore); prints the result as one JSON object.
 */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_restore(int argc, char **argv)
{
    const char *table = NULL, *version = NULL, *ts = NULL;
    for (int i = 1; i < argc;) {
        int r;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_find_command("restore")->usage, stdout);
            return CLI_OK;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--version", &version)) ||
            (r = cli_opt_value(argc, argv, &i, "--as-of", &ts)) ||
            (r = cli_opt_value(argc, argv, &i, "--timestamp", &ts))) {
            if (r < 0) return CLI_USAGE;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("restore", "unknown option %s", argv[i]);
        if (table) return cli_usage_error("restore", "more than one TABLE given");
        table = argv[i++];
    }
    if (!table) return cli_usage_error("restore", "TABLE is required");
    if (!version == !ts)
        return cli_usage_error("restore", "give exactly one of --version N and --as-of TIMESTAMP");
    long long v = -1;
    if (version) {
        char *end;
        errno = 0;
        v = strtoll(version, &end, 10);
        if (errno || end == version || *end || v < 0)
            return cli_usage_error("restore", "--version needs a non-negative integer, got '%s'",
                                   version);
    }
    dlk_restore_result r;
    if (dlk_table_restore(table, v, ts, &r)) return cli_fail("restore");
    printf("{\"version\":%lld,\"restored_version\":%lld,\"files_added\":%lld,\"files_removed\":%"
           "lld}\n",
           (long long)r.version, (long long)r.restored_version, (long long)r.files_added,
           (long long)r.files_removed);
    return CLI_OK;
}
