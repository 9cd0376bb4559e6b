/* cli/cmd_checkpoint.c - `deltalake checkpoint TABLE`. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <string.h>

int cli_cmd_checkpoint(int argc, char **argv)
{
    const char *table = NULL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        if (table) return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        table = argv[i];
    }
    if (!table) return cli_usage_error(argv[0], "TABLE is required");
    int64_t v;
    if (dlk_table_checkpoint(table, &v)) return cli_fail(argv[0]);
    printf("{\"checkpoint_version\":%lld}\n", (long long)v);
    return CLI_OK;
}
