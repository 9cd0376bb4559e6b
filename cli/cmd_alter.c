/* cli/cmd_alter.c - `deltalake alter TABLE ACTION`: one schema change as
 * one commit (alter.h): add a column, rename or drop a column (through
 * column mapping, enabled on the way when needed), enable column mapping. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_cmd_alter(int argc, char **argv)
{
    const char *table = NULL, *rename = NULL, *drop = NULL, *add = NULL;
    bool enable = false;
    int n_actions = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = cli_opt_value(argc, argv, &i, "--rename-column", &rename))) {
            if (r < 0) return CLI_USAGE;
            n_actions++;
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--drop-column", &drop))) {
            if (r < 0) return CLI_USAGE;
            n_actions++;
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--add-column", &add))) {
            if (r < 0) return CLI_USAGE;
            n_actions++;
            continue;
        }
        if (!strcmp(argv[i], "--enable-column-mapping")) {
            enable = true;
            n_actions++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        if (table) return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        table = argv[i];
    }
    if (!table) return cli_usage_error(argv[0], "TABLE is required");
    if (n_actions != 1) return cli_usage_error(argv[0], "exactly one action is needed");
    char *old = NULL;
    const char *to = NULL;
    if (rename) {
        const char *eq = strchr(rename, '=');
        if (!eq || eq == rename || !eq[1])
            return cli_usage_error(argv[0], "--rename-column wants OLD=NEW");
        old = strndup(rename, (size_t)(eq - rename));
        to = eq + 1;
    }
    char *aname = NULL;
    const char *atype = NULL;
    if (add) {
        const char *sp = strchr(add, ' ');
        if (!sp || sp == add) return cli_usage_error(argv[0], "--add-column wants 'NAME TYPE'");
        aname = strndup(add, (size_t)(sp - add));
        atype = sp + 1;
        while (*atype == ' ')
            atype++;
    }
    int64_t v = -1;
    int rc = DLK_OK;
    if (rename)
        rc = dlk_table_rename_column(table, old, to, &v);
    else if (drop)
        rc = dlk_table_drop_column(table, drop, &v);
    else if (add)
        rc = dlk_table_add_column(table, aname, atype, NULL, &v);
    else if (enable)
        rc = dlk_table_enable_column_mapping(table, &v);
    free(old);
    free(aname);
    if (rc) return cli_fail(argv[0]);
    printf("{\"version\":%lld}\n", (long long)v);
    return CLI_OK;
}
