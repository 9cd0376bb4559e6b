/*
 * cli/output.h - printing Arrow record batches in the CLI output formats
 * (table, jsonl, csv, json), generic over any "+s" schema. Used by
 * `parquet dump` and by `query`.
 *
 *   cli_out *o; cli_out_begin(&o, stdout, fmt, schema);
 *   for each batch: cli_out_batch(o, batch);   (a "+s" struct array of schema)
 *   cli_out_end(o);   (prints the table / closes the JSON array; frees o)
 *
 * jsonl: one JSON object per row (arrow_json.h conventions); json: one
 * array of those objects; csv: header line then RFC 4180 rows (nulls
 * empty, scalars such as dates and timestamps as plain fields, nested
 * values as JSON text); table: aligned columns for people (numbers to the
 * right), sized from the first 1000 rows (later rows stream at those
 * widths), cells cut at 60 characters, NULL for nulls, byte counts
 * human-readable (15.1 MiB), and a "(N rows)" line.
 */
#ifndef DLK_CLI_OUTPUT_H
#define DLK_CLI_OUTPUT_H

#include "cli.h"
#include "deltalake/arrow_abi.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cli_out cli_out;

/* Returns a dlk status; the schema is borrowed and must outlive o. */
int cli_out_begin(cli_out **out, FILE *fp, cli_format fmt, const struct ArrowSchema *schema);
int cli_out_batch(cli_out *o, const struct ArrowArray *batch);
/* Rows printed so far. */
int64_t cli_out_rows(const cli_out *o);
int cli_out_end(cli_out *o);
/* Free without printing (error paths). */
void cli_out_abort(cli_out *o);

/* True for column names that hold byte counts (bytes, size, *_bytes,
 * bytes_*, small_file_threshold): shown human-readable in table format. */
bool cli_is_bytes_column(const char *name);
/* "1023 B", "1.2 KiB", "15.1 MiB", ... (binary units, one decimal). */
void cli_human_bytes(int64_t v, char *out, size_t cap);

#endif
