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
 * empty, nested values as JSON text); table: aligned columns for people,
 * buffered until cli_out_end (cells cut at 60 characters), "null" for nulls.
 */
#ifndef DLK_CLI_OUTPUT_H
#define DLK_CLI_OUTPUT_H

#include "cli.h"
#include "deltalake/arrow_abi.h"
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

#endif
