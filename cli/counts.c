/* cli/counts.c - print an operation's counts (one row of named long
 * values) through cli/output in the chosen format (upsert, delete,
 * update). */
#include "cli.h"
#include "output.h"

#include <stdlib.h>
#include <string.h>

static void release_schema(struct ArrowSchema *s)
{
    for (int64_t i = 0; i < s->n_children; i++) {
        if (s->children[i]->release) s->children[i]->release(s->children[i]);
    }
    free(s->children);
    s->release = NULL;
}

static void release_child(struct ArrowSchema *s)
{
    s->release = NULL;
}
static void release_array(struct ArrowArray *a)
{
    a->release = NULL;
}

int cli_print_counts(const char *cmd, cli_format fmt, const char *const *names,
                     const int64_t *values, size_t n)
{
    struct ArrowSchema *kids = calloc(n ? n : 1, sizeof *kids);
    struct ArrowSchema **kidp = calloc(n ? n : 1, sizeof *kidp);
    struct ArrowArray *cols = calloc(n ? n : 1, sizeof *cols);
    struct ArrowArray **colp = calloc(n ? n : 1, sizeof *colp);
    const void **bufs = calloc(2 * (n ? n : 1), sizeof *bufs);
    if (!kids || !kidp || !cols || !colp || !bufs) {
        free(kids), free(kidp), free(cols), free(colp), free(bufs);
        fprintf(stderr, "deltalake %s: out of memory\n", cmd);
        return CLI_ERROR;
    }
    for (size_t i = 0; i < n; i++) {
        kids[i] = (struct ArrowSchema){.format = "l", .name = names[i], .release = release_child};
        kidp[i] = &kids[i];
        bufs[2 * i] = NULL;
        bufs[2 * i + 1] = &values[i];
        cols[i] = (struct ArrowArray){
            .length = 1, .n_buffers = 2, .buffers = &bufs[2 * i], .release = release_array};
        colp[i] = &cols[i];
    }
    static const void *no_buf[1] = {NULL};
    struct ArrowSchema schema = {.format = "+s",
                                 .name = "",
                                 .n_children = (int64_t)n,
                                 .children = kidp,
                                 .release = release_schema};
    struct ArrowArray batch = {.length = 1,
                               .n_buffers = 1,
                               .buffers = no_buf,
                               .n_children = (int64_t)n,
                               .children = colp,
                               .release = release_array};
    cli_out *o = NULL;
    int rc = cli_out_begin(&o, stdout, fmt, &schema);
    if (!rc) rc = cli_out_batch(o, &batch);
    if (!rc)
        rc = cli_out_end(o);
    else if (o)
        cli_out_abort(o);
    kidp = schema.children;
    free(kids);
    free(kidp);
    free(cols);
    free(colp);
    free(bufs);
    if (rc) return cli_fail(cmd);
    return CLI_OK;
}
