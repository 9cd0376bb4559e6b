/*
 * cli/cmd_check.c - `deltalake check TABLE [--log-only] [--read-data] [--format F]`:
 * validate a table against the Delta protocol (include/deltalake/check.h).
 * Prints one row per finding (code, version, path, message) through
 * cli/output; a summary line goes to stderr. Exit 0 when the table is
 * sound, 1 when there are findings or the check could not run, 2 on usage.
 */
#include "cli.h"
#include "output.h"
#include "deltalake/check.h"
#include "deltalake/deltalake.h"

#include <stdlib.h>
#include <string.h>

/* ---- a 4-column Arrow batch (code, version, path, message) ---- */

enum { NCOL = 4 };
static const char *const COL_NAMES[NCOL] = {"code", "version", "path", "message"};
static const char *const COL_FMTS[NCOL] = {"u", "l", "u", "u"};

static void schema_release(struct ArrowSchema *s)
{
    if (s->children) {
        for (int64_t i = 0; i < s->n_children; i++)
            free(s->children[i]);
        free(s->children);
    }
    s->release = NULL;
}

static int make_schema(struct ArrowSchema *s)
{
    memset(s, 0, sizeof *s);
    s->format = "+s";
    s->name = "";
    s->n_children = NCOL;
    s->children = calloc(NCOL, sizeof *s->children);
    if (!s->children) return -1;
    s->release = schema_release;
    for (int i = 0; i < NCOL; i++) {
        struct ArrowSchema *c = calloc(1, sizeof *c);
        if (!c) return -1;
        c->format = COL_FMTS[i];
        c->name = COL_NAMES[i];
        c->flags = ARROW_FLAG_NULLABLE;
        c->release = schema_release;
        s->children[i] = c;
    }
    return 0;
}

typedef struct {
    const void *buffers[3];
    struct ArrowArray arr;
} col_holder;

static void array_release(struct ArrowArray *a)
{
    for (int64_t i = 0; i < a->n_children; i++) {
        struct ArrowArray *c = a->children[i];
        for (int64_t b = 0; b < c->n_buffers; b++)
            free((void *)c->buffers[b]);
        free(c->private_data);
    }
    free(a->children);
    free(a->buffers);
    a->release = NULL;
}

static void child_release(struct ArrowArray *a)
{
    a->release = NULL;
}

static int make_batch(const dlk_check_report *r, struct ArrowArray *out)
{
    size_t n = r->n_findings;
    memset(out, 0, sizeof *out);
    out->length = (int64_t)n;
    out->n_buffers = 1;
    out->buffers = calloc(1, sizeof *out->buffers);
    out->n_children = NCOL;
    out->children = calloc(NCOL, sizeof *out->children);
    out->release = array_release;
    if (!out->buffers || !out->children) return -1;
    for (int c = 0; c < NCOL; c++) {
        col_holder *h = calloc(1, sizeof *h);
        if (!h) return -1;
        struct ArrowArray *a = &h->arr;
        a->private_data = h;
        a->length = (int64_t)n;
        a->buffers = h->buffers;
        a->release = child_release;
        out->children[c] = a;
        uint8_t *valid = calloc(n / 8 + 1, 1);
        if (!valid) return -1;
        h->buffers[0] = valid;
        if (c == 1) {
            a->n_buffers = 2;
            int64_t *v = calloc(n ? n : 1, sizeof *v);
            if (!v) return -1;
            h->buffers[1] = v;
            for (size_t i = 0; i < n; i++) {
                v[i] = r->findings[i].version;
                if (v[i] >= 0)
                    valid[i / 8] |= (uint8_t)(1u << (i % 8));
                else
                    a->null_count++;
            }
            continue;
        }
        a->n_buffers = 3;
        int32_t *off = calloc(n + 1, sizeof *off);
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
            const dlk_check_finding *f = &r->findings[i];
            const char *s = c == 0 ? f->code : c == 2 ? f->path : f->message;
            total += s ? strlen(s) : 0;
        }
        char *data = malloc(total ? total : 1);
        if (!off || !data) {
            free(off);
            free(data);
            return -1;
        }
        h->buffers[1] = off;
        h->buffers[2] = data;
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            const dlk_check_finding *f = &r->findings[i];
            const char *s = c == 0 ? f->code : c == 2 ? f->path : f->message;
            if (s) {
                size_t l = strlen(s);
                memcpy(data + pos, s, l);
                pos += l;
                valid[i / 8] |= (uint8_t)(1u << (i % 8));
            } else {
                a->null_count++;
            }
            off[i + 1] = (int32_t)pos;
        }
    }
    return 0;
}

int cli_cmd_check(int argc, char **argv)
{
    const char *table = NULL, *fmts = NULL;
    dlk_check_options opts = DLK_CHECK_OPTIONS_INIT;
    for (int i = 1; i < argc;) {
        const char *v;
        int r = cli_opt_value(argc, argv, &i, "--format", &v);
        if (r < 0) return CLI_USAGE;
        if (r > 0) {
            fmts = v;
            continue;
        }
        if (!strcmp(argv[i], "--log-only")) {
            opts.skip_data = true;
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--read-data")) {
            opts.read_data_bytes = INT64_MAX;
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
        if (table) return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
        table = argv[i++];
    }
    if (!table) return cli_usage_error(argv[0], "TABLE is required");
    cli_format fmt = CLI_FMT_TABLE;
    if (fmts && !cli_parse_format(argv[0], fmts, &fmt)) return CLI_USAGE;
    dlk_check_report *rep = NULL;
    if (dlk_table_check(table, &opts, &rep)) return cli_fail(argv[0]);
    int ret = rep->n_findings ? CLI_ERROR : CLI_OK;
    if (rep->n_findings || fmt != CLI_FMT_TABLE) {
        struct ArrowSchema sc;
        struct ArrowArray b;
        cli_out *o = NULL;
        if (make_schema(&sc) || make_batch(rep, &b) || cli_out_begin(&o, stdout, fmt, &sc) ||
            cli_out_batch(o, &b) || cli_out_end(o)) {
            fprintf(stderr, "deltalake check: cannot print the findings\n");
            ret = CLI_ERROR;
        }
        if (b.release) b.release(&b);
        if (sc.release) sc.release(&sc);
    }
    fprintf(stderr,
            "deltalake check: %s: version %lld, %lld commits read, %lld data files checked: %zu "
            "finding%s\n",
            table, (long long)rep->version, (long long)rep->commits_read,
            (long long)rep->files_checked, rep->n_findings, rep->n_findings == 1 ? "" : "s");
    dlk_check_report_free(&rep);
    return ret;
}
