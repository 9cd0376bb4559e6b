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
/* table: rows buffered to size the columns; later rows stream at those widths */
#define TABLE_SAMPLE_ROWS 1000

struct cli_out {
    FILE *fp;
    cli_format fmt;
    const struct ArrowSchema *schema;
    int64_t rows;
    char *buf;
    size_t len, cap;
    /* table: cells row-major, widths once the header is out */
    char **cells;
    size_t n_cells, cap_cells;
    size_t *width;
    bool header_done;
};

static bool is_string_format(const char *f)
{
    return !strcmp(f, "u") || !strcmp(f, "U") || !strcmp(f, "vu");
}

bool cli_is_bytes_column(const char *name)
{
    if (!name) return false;
    size_t n = strlen(name);
    if (!strcmp(name, "bytes") || !strcmp(name, "size") || !strcmp(name, "small_file_threshold"))
        return true;
    if (n > 6 && !strcmp(name + n - 6, "_bytes")) return true;
    return !strncmp(name, "bytes_", 6);
}

void cli_human_bytes(int64_t v, char *out, size_t cap)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (v < 1024 && v > -1024) {
        snprintf(out, cap, "%lld B", (long long)v);
        return;
    }
    double d = (double)v;
    size_t u = 0;
    while ((d >= 1024.0 || d <= -1024.0) && u + 1 < sizeof units / sizeof units[0]) {
        d /= 1024.0;
        u++;
    }
    snprintf(out, cap, "%.1f %s", d, units[u]);
}

static void csv_text(FILE *fp, const char *s, size_t n)
{
    if (n && (strpbrk(s, ",\"\n\r") || s[0] == ' ' || s[n - 1] == ' ')) {
        fputc('"', fp);
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"') fputc('"', fp);
            fputc(s[i], fp);
        }
        fputc('"', fp);
    } else
        fwrite(s, 1, n, fp);
}

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
            csv_text(fp, nm, strlen(nm));
        }
        fputc('\n', fp);
    } else if (fmt == CLI_FMT_JSON)
        fputc('[', fp);
    return DLK_OK;
}

static bool value_valid(const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i)
{
    if (!strcmp(s->format, "n")) return false;
    if (a->null_count == 0 || a->n_buffers < 1 || !a->buffers[0]) return true;
    int64_t j = a->offset + i;
    return (((const uint8_t *)a->buffers[0])[j >> 3] >> (j & 7)) & 1;
}

/* The text of value i of column (s, a) in o->buf: strings raw, scalars
 * without JSON quotes, nested values as JSON; *is_null for nulls. */
static int cell_text(cli_out *o, const struct ArrowSchema *s, const struct ArrowArray *a, int64_t i,
                     bool *is_null)
{
    o->len = 0;
    if (o->buf) o->buf[0] = 0;
    *is_null = !value_valid(s, a, i);
    if (*is_null) return DLK_OK;
    if (o->fmt == CLI_FMT_TABLE && !strcmp(s->format, "l") && cli_is_bytes_column(s->name)) {
        char h[32];
        cli_human_bytes(((const int64_t *)a->buffers[1])[a->offset + i], h, sizeof h);
        size_t n = strlen(h);
        if (o->cap < n + 1) {
            char *nb = realloc(o->buf, n + 1);
            if (!nb) return DLK_NO_MEMORY;
            o->buf = nb;
            o->cap = n + 1;
        }
        memcpy(o->buf, h, n + 1);
        o->len = n;
        return DLK_OK;
    }
    int rc = dlk_arrow_json_value(s, a, i, DLK_JSON_RAW_STRINGS, &o->buf, &o->len, &o->cap);
    if (rc) return rc;
    /* quoted scalars (dates, timestamps, decimals, base64) lose their quotes */
    if (s->format[0] != '+' && !is_string_format(s->format) && o->len >= 2 && o->buf[0] == '"' &&
        o->buf[o->len - 1] == '"' && !memchr(o->buf + 1, '"', o->len - 2) &&
        !memchr(o->buf + 1, '\\', o->len - 2)) {
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

static size_t disp_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void pad(FILE *fp, size_t n)
{
    while (n--)
        fputc(' ', fp);
}

static bool right_aligned(const struct ArrowSchema *s)
{
    const char *f = s->format;
    return strchr("cCsSiIlLefg", f[0]) && !f[1];
}

static void print_cell(cli_out *o, size_t k, const char *text, bool last)
{
    size_t nc = (size_t)o->schema->n_children;
    size_t w = disp_width(text);
    size_t fill = o->width[k] > w ? o->width[k] - w : 0;
    fputs(k ? " | " : "", o->fp);
    if (right_aligned(o->schema->children[k])) pad(o->fp, fill);
    fputs(text, o->fp);
    if (!right_aligned(o->schema->children[k]) && k + 1 < nc) pad(o->fp, fill);
    if (last) fputc('\n', o->fp);
}

/* Size the columns from the header and the buffered rows, print them. */
static int table_flush(cli_out *o)
{
    size_t nc = (size_t)o->schema->n_children;
    if (!o->header_done) {
        o->width = calloc(nc ? nc : 1, sizeof *o->width);
        if (!o->width) return DLK_NO_MEMORY;
        for (size_t k = 0; k < nc; k++) {
            const char *nm = o->schema->children[k]->name ? o->schema->children[k]->name : "";
            o->width[k] = disp_width(nm);
        }
        for (size_t i = 0; nc && i < o->n_cells; i++) {
            size_t dw = disp_width(o->cells[i]);
            if (dw > o->width[i % nc]) o->width[i % nc] = dw;
        }
        for (size_t k = 0; k < nc; k++) {
            const char *nm = o->schema->children[k]->name ? o->schema->children[k]->name : "";
            print_cell(o, k, nm, k + 1 == nc);
        }
        for (size_t k = 0; k < nc; k++) {
            fputs(k ? "-+-" : "", o->fp);
            for (size_t i = 0; i < o->width[k]; i++)
                fputc('-', o->fp);
        }
        fputc('\n', o->fp);
        o->header_done = true;
    }
    for (size_t i = 0; nc && i < o->n_cells; i++) {
        print_cell(o, i % nc, o->cells[i], i % nc + 1 == nc);
        free(o->cells[i]);
    }
    o->n_cells = 0;
    return DLK_OK;
}

static int table_row(cli_out *o, const struct ArrowArray *batch, int64_t r)
{
    const struct ArrowSchema *s = o->schema;
    for (int64_t k = 0; k < s->n_children; k++) {
        bool isnull;
        int rc = cell_text(o, s->children[k], batch->children[k], batch->offset + r, &isnull);
        if (rc) return rc;
        if (isnull) {
            rc = push_cell(o, "NULL", 4);
            if (rc) return rc;
            continue;
        }
        size_t n = o->len;
        for (size_t i = 0; i < n; i++)
            if (o->buf[i] == '\n' || o->buf[i] == '\t' || o->buf[i] == '\r') o->buf[i] = ' ';
        if (n > CELL_MAX) {
            n = CELL_MAX - 3;
            while (n > 0 && ((unsigned char)o->buf[n] & 0xC0) == 0x80)
                n--;
            memcpy(o->buf + n, "...", 3);
            n += 3;
        }
        rc = push_cell(o, o->buf, n);
        if (rc) return rc;
    }
    if (o->header_done || o->rows + 1 >= TABLE_SAMPLE_ROWS) return table_flush(o);
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
            fputs(o->fmt == CLI_FMT_JSONL ? "" : o->rows ? ",\n" : "\n", o->fp);
            fwrite(o->buf, 1, o->len, o->fp);
            if (o->fmt == CLI_FMT_JSONL) fputc('\n', o->fp);
            break;
        case CLI_FMT_CSV:
            for (int64_t k = 0; k < s->n_children && !rc; k++) {
                bool isnull;
                if (k) fputc(',', o->fp);
                rc = cell_text(o, s->children[k], batch->children[k], batch->offset + r, &isnull);
                if (!rc && !isnull) csv_text(o->fp, o->buf, o->len);
            }
            fputc('\n', o->fp);
            break;
        case CLI_FMT_TABLE:
        default:
            rc = table_row(o, batch, r);
            break;
        }
    }
    return rc;
}

int64_t cli_out_rows(const cli_out *o)
{
    return o->rows;
}

int cli_out_end(cli_out *o)
{
    if (!o) return DLK_OK;
    int rc = DLK_OK;
    if (o->fmt == CLI_FMT_JSON) fputs(o->rows ? "\n]\n" : "]\n", o->fp);
    if (o->fmt == CLI_FMT_TABLE) {
        rc = table_flush(o);
        fprintf(o->fp, "(%lld row%s)\n", (long long)o->rows, o->rows == 1 ? "" : "s");
    }
    cli_out_abort(o);
    return rc;
}

void cli_out_abort(cli_out *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n_cells; i++)
        free(o->cells[i]);
    free(o->cells);
    free(o->width);
    dlk_string_free(o->buf);
    free(o);
}
