/*
 * cli/json_rows.c - small lists of JSON objects in the CLI output formats
 * (see json_rows.h).
 */
#include "json_rows.h"
#include "output.h"

#include <stdlib.h>
#include <string.h>

#define CELL_MAX 60

/* The cell text of a value (NULL: missing/null); free() it. Byte counts
 * are human-readable when `human` (table format). */
static char *cell(json_t *v, const char *col, bool human)
{
    if (!v || json_is_null(v)) return NULL;
    if (human && json_is_integer(v) && cli_is_bytes_column(col)) {
        char h[32];
        cli_human_bytes((int64_t)json_integer_value(v), h, sizeof h);
        return strdup(h);
    }
    if (json_is_string(v)) return strdup(json_string_value(v));
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void csv_field(FILE *fp, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"') fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

int cli_json_rows_print(FILE *fp, cli_format fmt, json_t *rows, const char *const *cols,
                        size_t n_cols)
{
    size_t n = json_array_size(rows);
    if (fmt == CLI_FMT_JSONL || fmt == CLI_FMT_JSON) {
        if (fmt == CLI_FMT_JSON) fputc('[', fp);
        for (size_t i = 0; i < n; i++) {
            char *s = json_dumps(json_array_get(rows, i), JSON_COMPACT);
            if (!s) return -1;
            if (fmt == CLI_FMT_JSON) fputs(i ? ",\n" : "\n", fp);
            fputs(s, fp);
            if (fmt == CLI_FMT_JSONL) fputc('\n', fp);
            free(s);
        }
        if (fmt == CLI_FMT_JSON) fputs(n ? "\n]\n" : "]\n", fp);
        return ferror(fp) ? -1 : 0;
    }
    if (fmt == CLI_FMT_CSV) {
        for (size_t c = 0; c < n_cols; c++) {
            if (c) fputc(',', fp);
            csv_field(fp, cols[c]);
        }
        fputc('\n', fp);
        for (size_t i = 0; i < n; i++) {
            for (size_t c = 0; c < n_cols; c++) {
                char *s = cell(json_object_get(json_array_get(rows, i), cols[c]), cols[c], false);
                if (c) fputc(',', fp);
                csv_field(fp, s);
                free(s);
            }
            fputc('\n', fp);
        }
        return ferror(fp) ? -1 : 0;
    }
    /* table */
    size_t *w = calloc(n_cols ? n_cols : 1, sizeof *w);
    char **cells = calloc((n ? n : 1) * (n_cols ? n_cols : 1), sizeof *cells);
    if (!w || !cells) {
        free(w);
        free(cells);
        return -1;
    }
    for (size_t c = 0; c < n_cols; c++)
        w[c] = strlen(cols[c]);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < n_cols; c++) {
            char *s = cell(json_object_get(json_array_get(rows, i), cols[c]), cols[c], true);
            if (s && strlen(s) > CELL_MAX) memcpy(s + CELL_MAX - 3, "...", 4);
            cells[i * n_cols + c] = s;
            size_t l = s ? strlen(s) : 4;
            if (l > w[c]) w[c] = l;
        }
    for (size_t c = 0; c < n_cols; c++)
        fprintf(fp, "%s%-*s", c ? " | " : "", (int)w[c], cols[c]);
    fputc('\n', fp);
    for (size_t c = 0; c < n_cols; c++) {
        if (c) fputs("-+-", fp);
        for (size_t k = 0; k < w[c]; k++)
            fputc('-', fp);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < n_cols; c++) {
            const char *s = cells[i * n_cols + c];
            fprintf(fp, "%s%-*s", c ? " | " : "", c + 1 < n_cols ? (int)w[c] : 0, s ? s : "NULL");
            free(cells[i * n_cols + c]);
        }
        fputc('\n', fp);
    }
    fprintf(fp, "(%zu row%s)\n", n, n == 1 ? "" : "s");
    free(cells);
    free(w);
    return ferror(fp) ? -1 : 0;
}
