/*
 * cli/cmd_parquet.c - `deltalake parquet dump|schema|meta FILE`: inspect a
 * Parquet file with the library's reader.
 */
#include "cli.h"
#include "output.h"
#include "deltalake/arrow_json.h"
#include "deltalake/parquet.h"

#include <stdlib.h>
#include <string.h>

static void release_schema(struct ArrowSchema *s)
{
    if (s->release) s->release(s);
}
static void release_array(struct ArrowArray *a)
{
    if (a->release) a->release(a);
}

static int dump(const char *path, const char *columns, cli_format fmt)
{
    dlk_pq_file *f;
    if (dlk_pq_open_path(path, &f)) return cli_fail("parquet");
    char *colbuf = NULL;
    const char **cols = NULL;
    size_t ncols = 0;
    int ret = CLI_OK;
    if (columns) {
        colbuf = strdup(columns);
        cols = calloc(strlen(columns) + 1, sizeof *cols);
        if (!colbuf || !cols) {
            ret = CLI_ERROR;
            goto done;
        }
        for (char *save = NULL, *t = strtok_r(colbuf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            cols[ncols++] = t;
    }
    struct ArrowSchema schema = {0};
    cli_out *o = NULL;
    int nrg = dlk_pq_num_row_groups(f);
    if (nrg == 0) {
        /* no row groups: print the header only */
        struct ArrowSchema full = {0};
        if (dlk_pq_get_schema(f, &full)) {
            ret = cli_fail("parquet");
            goto done;
        }
        if (cli_out_begin(&o, stdout, fmt, &full) == 0) cli_out_end(o);
        release_schema(&full);
        goto done;
    }
    for (int rg = 0; rg < nrg; rg++) {
        struct ArrowSchema s = {0};
        struct ArrowArray a = {0};
        if (dlk_pq_read_row_group(f, rg, cols, ncols, &s, &a)) {
            cli_out_abort(o);
            o = NULL;
            fflush(stdout);
            ret = cli_fail("parquet");
            goto done;
        }
        if (!o) {
            schema = s;
            cli_out_begin(&o, stdout, fmt, &schema);
        } else
            release_schema(&s);
        int rc = cli_out_batch(o, &a);
        release_array(&a);
        if (rc) {
            cli_out_abort(o);
            o = NULL;
            ret = cli_fail("parquet");
            goto done;
        }
    }
    cli_out_end(o);
done:
    release_schema(&schema);
    free(cols);
    free(colbuf);
    dlk_pq_close(&f);
    return ret;
}

static int text_cmd(const char *path, bool meta)
{
    dlk_pq_file *f;
    if (dlk_pq_open_path(path, &f)) return cli_fail("parquet");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = meta ? dlk_pq_meta_json(f, &buf, &len, &cap) : dlk_pq_schema_text(f, &buf, &len, &cap);
    dlk_pq_close(&f);
    if (rc) {
        dlk_string_free(buf);
        return cli_fail("parquet");
    }
    fwrite(buf, 1, len, stdout);
    if (len && buf[len - 1] != '\n') fputc('\n', stdout);
    dlk_string_free(buf);
    return CLI_OK;
}

int cli_cmd_parquet(int argc, char **argv)
{
    if (argc < 3) return cli_usage_error("parquet", "usage: deltalake parquet dump|schema|meta FILE");
    const char *sub = argv[1], *file = NULL, *columns = NULL, *fmts = NULL;
    for (int i = 2; i < argc;) {
        const char *v;
        int r;
        if ((r = cli_opt_value(argc, argv, &i, "--columns", &v)) != 0) {
            if (r < 0) return CLI_USAGE;
            columns = v;
            continue;
        }
        if ((r = cli_opt_value(argc, argv, &i, "--format", &v)) != 0) {
            if (r < 0) return CLI_USAGE;
            fmts = v;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) return cli_usage_error("parquet", "unknown option %s", argv[i]);
        if (file) return cli_usage_error("parquet", "more than one FILE given");
        file = argv[i++];
    }
    if (!file) return cli_usage_error("parquet", "missing FILE");
    cli_format fmt = CLI_FMT_TABLE;
    if (fmts && !cli_parse_format("parquet", fmts, &fmt)) return CLI_USAGE;
    if (!strcmp(sub, "dump")) return dump(file, columns, fmt);
    if (!strcmp(sub, "schema")) return text_cmd(file, false);
    if (!strcmp(sub, "meta")) return text_cmd(file, true);
    return cli_usage_error("parquet", "unknown subcommand '%s' (dump, schema, meta)", sub);
}
