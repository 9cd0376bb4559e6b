/*
 * cli/output.c - table / jsonl / csv / json printers of Arrow batches for
 * the CLI (see output.h).
 */
#include "output.h"
#include "deltalake/arrow_json.h"
#include "deltalake/errors.h"

#include <stdlib.h>
#include <string.h>

#define CELL_MAX 60

struct cli_out {
    FILE *fp;
    cli_format fmt;
    const struct ArrowSchema *schema;
    int64_t rows;
    char *buf;
    size_t len, cap;
    /* table: cells row-major */
    char **cells;
    size_t n_cells, cap_cells;
};

int cli_out_begin(cli_out **out, FILE *fp, cli_format fmt, const struct ArrowSchema *schema)
{
    cli_out *o = calloc(1, sizeof *o);
    if (!o) return DLK_NO_MEMORY;
    o->fp = fp;
    o->fmt = fmt;
    o->schema = schema;
    *out = o;
    if (fmt == CLI_FMT_CSV) {
        for (int64_t k = 0; k < schema->n_children; k++) {
            const char *nm = schema->children[k]->name ? schema->children[k]->name : "";
            if (k) fputc(',', fp);
            bool q = strpbrk(nm, ",\"\n\r") != NULL;
            if (q) {
                fputc('"', fp);
                for (const char *p = nm; *p; p++) {
                    if (*p == '"') fputc('"', fp);
                    fputc(*p, fp);
                }
                fputc('"', fp);
            } else
                fputs(nm, fp);
        }
        fputc('\n', fp);
    } else if (fmt == CLI_FMT_JSON)
        fputc('[', fp);
    return DLK_OK;
}

static int cell_text(cli_out *o, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i, bool *is_null)
{
    o->len = 0;
    if (o->buf) o->buf[0] = 0;
    int rc = dlk_arrow_json_value(s, a, i, DLK_JSON_RAW_STRINGS, &o->buf, &o->len, &o->cap);
    if (rc) return rc;
    *is_null = !strcmp(o->buf ? o->buf : "", "null") && !(s->format[0] == 'u' || s->format[0] == 'U');
    /* quoted scalars (dates, decimals, base64) lose their quotes in cells */
    if (o->len >= 2 && o->buf[0] == '"' && o->buf[o->len - 1] == '"' && s->format[0] != '+' &&
        !memchr(o->buf + 1, '"', o->len - 2) && !memchr(o->buf + 1, '\\', o->len - 2)) {
        memmove(o->buf, o->buf + 1, o->len - 2);
        o->len -= 2;
        o->buf[o->len] = 0;
    }
    return DLK_OK;
}

static int push_cell(cli_out *o, const char *s, size_t n)
{
    if (o->n_cells == o->cap_cells) {
        size_t nc = o->cap_cells ? o->cap_cells * 2 : 256;
        char **c = realloc(o->cells, nc * sizeof *c);
        if (!c) return DLK_NO_MEMORY;
        o->cells = c;
        o->cap_cells = nc;
    }
    char *d = malloc(n + 1);
    if (!d) return DLK_NO_MEMORY;
    memcpy(d, s, n);
    d[n] = 0;
    o->cells[o->n_cells++] = d;
    return DLK_OK;
}

int cli_out_batch(cli_out *o, const struct ArrowArray *batch)
{
    const struct ArrowSchema *s = o->schema;
    int rc = DLK_OK;
    for (int64_t r = 0; r < batch->length && !rc; r++, o->rows++) {
        switch (o->fmt) {
        case CLI_FMT_JSONL:
        case CLI_FMT_JSON:
            o->len = 0;
            rc = dlk_arrow_json_row(s, batch, r, &o->buf, &o->len, &o->cap);
            if (rc) break;
            if (o->fmt == CLI_FMT_JSON && o->rows) fputs(",\n", o->fp);
            fwrite(o->buf, 1, o->len, o->fp);
            if (o->fmt == CLI_FMT_JSONL) fputc('\n', o->fp);
            break;
        case CLI_FMT_CSV:
            for (int64_t k = 0; k < s->n_children && !rc; k++) {
                bool isnull;
                if (k) fputc(',', o->fp);
                rc = cell_text(o, s->children[k], batch->children[k], batch->offset + r, &isnull);
                if (rc || isnull) continue;
                if (o->len && (strpbrk(o->buf, ",\"\n\r") || o->buf[0] == ' ')) {
                    fputc('"', o->fp);
                    for (size_t i = 0; i < o->len; i++) {
                        if (o->buf[i] == '"') fputc('"', o->fp);
                        fputc(o->buf[i], o->fp);
                    }
                    fputc('"', o->fp);
                } else
                    fwrite(o->buf, 1, o->len, o->fp);
            }
            fputc('\n', o->fp);
            break;
        case CLI_FMT_TABLE:
        default:
            for (int64_t k = 0; k < s->n_children && !rc; k++) {
                bool isnull;
                rc = cell_text(o, s->children[k], batch->children[k], batch->offset + r, &isnull);
                if (rc) break;
                size_t n = o->len;
                for (size_t i = 0; i < n; i++)
                    if (o->buf[i] == '\n' || o->buf[i] == '\t' || o->buf[i] == '\r') o->buf[i] = ' ';
                if (n > CELL_MAX) {
                    n = CELL_MAX - 3;
                    while (n > 0 && ((unsigned char)o->buf[n] & 0xC0) == 0x80) n--;
                    memcpy(o->buf + n, "...", 3);
                    n += 3;
                }
                rc = push_cell(o, o->buf, n);
            }
            break;
        }
    }
    return rc;
}

int64_t cli_out_rows(const cli_out *o) { return o->rows; }

static size_t disp_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void pad(FILE *fp, size_t n)
{
    while (n--) fputc(' ', fp);
}

int cli_out_end(cli_out *o)
{
    if (!o) return DLK_OK;
    if (o->fmt == CLI_FMT_JSON) fputs("]\n", o->fp);
    if (o->fmt == CLI_FMT_TABLE) {
        size_t nc = (size_t)o->schema->n_children;
        size_t *w = calloc(nc ? nc : 1, sizeof *w);
        if (w) {
            for (size_t k = 0; k < nc; k++) {
                const char *nm = o->schema->children[k]->name ? o->schema->children[k]->name : "";
                w[k] = disp_width(nm);
            }
            for (size_t i = 0; i < o->n_cells; i++) {
                size_t dw = disp_width(o->cells[i]);
                if (nc && dw > w[i % nc]) w[i % nc] = dw;
            }
            for (size_t k = 0; k < nc; k++) {
                const char *nm = o->schema->children[k]->name ? o->schema->children[k]->name : "";
                fputs(k ? " | " : "", o->fp);
                fputs(nm, o->fp);
                if (k + 1 < nc) pad(o->fp, w[k] - disp_width(nm));
            }
            fputc('\n', o->fp);
            for (size_t k = 0; k < nc; k++) {
                fputs(k ? "-+-" : "", o->fp);
                for (size_t i = 0; i < w[k]; i++) fputc('-', o->fp);
            }
            fputc('\n', o->fp);
            for (size_t i = 0; i < o->n_cells; i++) {
                size_t k = i % nc;
                fputs(k ? " | " : "", o->fp);
                fputs(o->cells[i], o->fp);
                if (k + 1 < nc) pad(o->fp, w[k] - disp_width(o->cells[i]));
                else fputc('\n', o->fp);
            }
            fprintf(o->fp, "(%lld row%s)\n", (long long)o->rows, o->rows == 1 ? "" : "s");
            free(w);
        }
    }
    cli_out_abort(o);
    return DLK_OK;
}

void cli_out_abort(cli_out *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n_cells; i++) free(o->cells[i]);
    free(o->cells);
    dlk_arrow_json_free(o->buf);
    free(o);
}
