/*
 * cli/json_rows.h - printing small lists of JSON objects (history entries,
 * vacuum paths, operation results) in the CLI output formats: table
 * (aligned columns, cells cut at 60 characters), jsonl (one object a line),
 * csv (header, then RFC 4180 rows; nested values as JSON text) and json
 * (one array). Columns are the given keys, in order.
 */
#ifndef DLK_CLI_JSON_ROWS_H
#define DLK_CLI_JSON_ROWS_H

#include "cli.h"
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* rows: a JSON array of objects (borrowed). Returns 0, or -1 on an output error. */
int cli_json_rows_print(FILE *fp, cli_format fmt, json_t *rows, const char *const *cols,
                        size_t n_cols);

#endif
