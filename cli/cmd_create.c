/* cli/cmd_create.c - `deltalake create TABLE --schema ... [--partition-by a,b]
 * [--property k=v]... [--if-not-exists]`. */
#include "cli.h"
#include "deltalake/deltalake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 256

/* Split at commas outside parentheses ("a, bucket(16, id)"), trimming. */
static int split(char *s, const char **out, int max)
{
    int n = 0, depth = 0;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == '(') depth++;
        else if (*p == ')' && depth > 0) depth--;
        if ((*p == ',' && depth == 0) || *p == 0) {
            bool end = *p == 0;
            *p = 0;
            while (*start == ' ') start++;
            char *e = start + strlen(start);
            while (e > start && e[-1] == ' ') *--e = 0;
            if (*start && n < max) out[n++] = start;
            if (end) break;
            start = p + 1;
        }
    }
    return n;
}

int cli_cmd_create(int argc, char **argv)
{
    const char *table = NULL, *schema_text = NULL, *parts = NULL, *v;
    const char *keys[MAX_ITEMS], *vals[MAX_ITEMS], *pcols[MAX_ITEMS];
    char *props_mem[MAX_ITEMS];
    int n_props = 0, rc;
    bool reuse = false;
    for (int i = 1; i < argc;) {
        if ((rc = cli_opt_value(argc, argv, &i, "--schema", &schema_text))) {
            if (rc < 0) return CLI_USAGE;
        } else if ((rc = cli_opt_value(argc, argv, &i, "--partition-by", &parts))) {
            if (rc < 0) return CLI_USAGE;
        } else if ((rc = cli_opt_value(argc, argv, &i, "--property", &v))) {
            if (rc < 0) return CLI_USAGE;
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) return cli_usage_error(argv[0], "--property needs KEY=VALUE, got '%s'", v);
            if (n_props >= MAX_ITEMS) return cli_usage_error(argv[0], "too many --property options");
            props_mem[n_props] = strdup(v);
            if (!props_mem[n_props]) return CLI_ERROR;
            props_mem[n_props][eq - v] = 0;
            keys[n_props] = props_mem[n_props];
            vals[n_props] = props_mem[n_props] + (eq - v) + 1;
            n_props++;
        } else if (!strcmp(argv[i], "--if-not-exists")) {
            reuse = true;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        } else if (!table) {
            table = argv[i++];
        } else {
            return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        }
    }
    int ret = CLI_OK;
    char *parts_copy = NULL;
    if (!table || !schema_text) {
        ret = cli_usage_error(argv[0], "TABLE and --schema are required");
        goto out;
    }
    struct ArrowSchema schema;
    if (dlk_schema_parse(schema_text, &schema)) {
        ret = cli_fail(argv[0]);
        goto out;
    }
    dlk_create_options o = DLK_CREATE_OPTIONS_INIT;
    int n_parts = 0;
    if (parts) {
        parts_copy = strdup(parts);
        if (!parts_copy) {
            ret = CLI_ERROR;
            schema.release(&schema);
            goto out;
        }
        n_parts = split(parts_copy, pcols, MAX_ITEMS);
    }
    o.partition_cols = pcols;
    o.n_partition_cols = (size_t)n_parts;
    o.prop_keys = keys;
    o.prop_values = vals;
    o.n_props = (size_t)n_props;
    o.reuse = reuse;
    int64_t version;
    if (dlk_table_create(table, &schema, &o, &version)) ret = cli_fail(argv[0]);
    else printf("{\"table\":\"%s\",\"version\":%lld}\n", table, (long long)version);
    schema.release(&schema);
out:
    free(parts_copy);
    for (int i = 0; i < n_props; i++) free(props_mem[i]);
    return ret;
}
