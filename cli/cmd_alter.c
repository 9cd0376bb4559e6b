/* cli/cmd_alter.c - `deltalake alter TABLE ACTION`: one schema change as
 * one commit (connector.h): add a column, rename or drop a column (through
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
    dlk_config cfg;
    dlk_config_init(&cfg);
    dlk_connector *c = NULL;
    dlk_table_handle *t = NULL;
    int64_t v = -1;
    int rc = dlk_config_set_table_path(&cfg, table);
    if (!rc) rc = dlk_connector_new(&cfg, &c);
    if (!rc) rc = dlk_connector_get_table(c, NULL, &t);
    if (!rc) {
        if (rename)
            rc = dlk_table_handle_rename_column(t, old, to, &v);
        else if (drop)
            rc = dlk_table_handle_drop_column(t, drop, &v);
        else if (add)
            rc = dlk_table_handle_add_column(t, aname, atype, &v);
        else if (enable)
            rc = dlk_table_handle_enable_column_mapping(t, &v);
    }
    free(old);
    free(aname);
    dlk_table_handle_free(&t);
    dlk_connector_free(&c);
    dlk_config_free(&cfg);
    if (rc) return cli_fail(argv[0]);
    printf("{\"version\":%lld}\n", (long long)v);
    return CLI_OK;
}
