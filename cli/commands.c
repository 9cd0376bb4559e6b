/*
 * cli/commands.c - the table of subcommands (the CLI contract,
 * documented in docs/cli.md) and a weak placeholder for each. A subcommand's real
 * implementation lives in cli/cmd_<name>.c and, being a strong symbol,
 * replaces the placeholder at link time.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define PLACEHOLDER(fn, label)                                                                     \
    __attribute__((weak)) int fn(int argc, char **argv)                                            \
    {                                                                                              \
        (void)argc;                                                                                \
        (void)argv;                                                                                \
        fprintf(stderr, "deltalake %s: not implemented in this build yet\n", label);               \
        return CLI_ERROR;                                                                          \
    }

int cli_cmd_create(int, char **);
int cli_cmd_write(int, char **);
int cli_cmd_upsert(int, char **);
int cli_cmd_delete(int, char **);
int cli_cmd_update(int, char **);
int cli_cmd_query(int, char **);
int cli_cmd_history(int, char **);
int cli_cmd_describe(int, char **);
int cli_cmd_stats(int, char **);
int cli_cmd_optimize(int, char **);
int cli_cmd_vacuum(int, char **);
int cli_cmd_restore(int, char **);
int cli_cmd_checkpoint(int, char **);
int cli_cmd_check(int, char **);
int cli_cmd_parquet(int, char **);
int cli_cmd_serve(int, char **);
int cli_cmd_alter(int, char **);

PLACEHOLDER(cli_cmd_create, "create")
PLACEHOLDER(cli_cmd_write, "write")
PLACEHOLDER(cli_cmd_upsert, "upsert")
PLACEHOLDER(cli_cmd_delete, "delete")
PLACEHOLDER(cli_cmd_update, "update")
PLACEHOLDER(cli_cmd_query, "query")
PLACEHOLDER(cli_cmd_history, "history")
PLACEHOLDER(cli_cmd_describe, "describe")
PLACEHOLDER(cli_cmd_stats, "stats")
PLACEHOLDER(cli_cmd_optimize, "optimize")
PLACEHOLDER(cli_cmd_vacuum, "vacuum")
PLACEHOLDER(cli_cmd_restore, "restore")
PLACEHOLDER(cli_cmd_checkpoint, "checkpoint")
PLACEHOLDER(cli_cmd_check, "check")
PLACEHOLDER(cli_cmd_parquet, "parquet")
PLACEHOLDER(cli_cmd_serve, "serve")
PLACEHOLDER(cli_cmd_alter, "alter")

#define FMT_OPT "  --format table|jsonl|csv|json   output format (default: table)\n"

const cli_command cli_commands[] = {
    {"create", cli_cmd_create, "create a new Delta table",
     "usage: deltalake create TABLE --schema SCHEMA [--partition-by a,b] [--property k=v]...\n"
     "  --schema SCHEMA        'name type [not null], ...' (Spark DDL types) or @FILE.json\n"
     "  --partition-by COLS    comma-separated partition columns; bucket(N, col) adds a\n"
     "                         hash-bucket partition column col_bucket (0..N-1)\n"
     "  --property K=V         table property (repeatable), e.g. delta.checkpointInterval=10\n"
     "  --if-not-exists        an existing table is not an error\n"},
    {"write", cli_cmd_write, "append or overwrite records",
     "usage: deltalake write TABLE [--mode append|overwrite] [--input FILE|-]\n"
     "                       [--input-format ndjson|csv|parquet] [--merge-schema]\n"
     "  --mode MODE            append (default) or overwrite\n"
     "  --input FILE           input file, '-' for stdin (default)\n"
     "  --input-format FMT     ndjson, csv or parquet (default: from the file's extension\n"
     "                         .ndjson/.jsonl/.json, .csv, .parquet; else ndjson)\n"
     "  --timestamp-unit U     numbers in timestamp columns count s, ms, us or ns since\n"
     "                         the epoch (default: numbers there are an error)\n"
     "  --merge-schema         add new fields of the input as nullable columns\n"
     "  --replace-where PRED   with overwrite: replace only the partitions matching PRED\n"
     "  --app-id ID --app-version N   idempotent write (skipped when already committed)\n"
     "  --target-file-size B   bytes per data file (default 128 MiB)\n"
     "  --batch-rows N         rows converted per batch (default 65536)\n"
     "  --threads N            NDJSON: parse and convert on N threads (default 1)\n"
     "  --ignore-unknown       ignore input fields not in the schema (default: error)\n"},
    {"upsert", cli_cmd_upsert, "merge records by key",
     "usage: deltalake upsert TABLE --key COL[,COL] [--input FILE|-] [--dedup] [--partition P]\n"
     "  --key COLS             merge key columns\n"
     "  --input FILE           NDJSON input, '-' for stdin (default)\n"
     "  --input-format FMT     ndjson or csv (default: from the extension, else ndjson)\n"
     "  --timestamp-unit U     numbers in timestamp columns count s, ms, us or ns since\n"
     "                         the epoch (default: numbers there are an error)\n"
     "  --dedup                keep the last of source rows with the same key (default: error)\n"
     "  --partition P          match only rows of partition P ('col=value/...'); input rows\n"
     "                         without partition values get P's\n"
     "  --hard | --soft        rewrite matched files / use deletion vectors (default: DVs when\n"
     "                         the table has the feature)\n"
     "  --enable-dv            add the deletionVectors feature to the table when missing\n"
     "  --ignore-unknown       ignore input fields not in the schema (default: error)\n"
     "  --format F             counts as jsonl (default), json, csv or table\n"},
    {"delete", cli_cmd_delete, "delete rows matching a predicate",
     "usage: deltalake delete TABLE --where PREDICATE [--hard] [--partition P]\n"
     "  --where PREDICATE      rows to delete, e.g. \"status_code >= 500\"\n"
     "  --hard                 rewrite files instead of writing deletion vectors\n"
     "  --soft                 deletion vectors (error without the table feature, see "
     "--enable-dv)\n"
     "  --enable-dv            add the deletionVectors feature to the table when missing\n"
     "  --partition P          only rows of partition P ('col=value/col2=value')\n"
     "  --all                  without --where: delete every row (of --partition)\n"
     "  --format F             counts as jsonl (default), json, csv or table\n"},
    {"update", cli_cmd_update, "update rows",
     "usage: deltalake update TABLE --set 'col = expr' [--where PREDICATE] [--partition P]\n"
     "  --set ASSIGNMENTS      'col = expr[, col2 = expr2]' (query-language expressions)\n"
     "  --where PREDICATE      rows to update (default: all)\n"
     "  --partition P          only rows of partition P ('col=value/...')\n"
     "  --hard | --soft        rewrite files / use deletion vectors (default: DVs when the\n"
     "                         table has the feature)\n"
     "  --enable-dv            add the deletionVectors feature to the table when missing\n"
     "  --format F             counts as jsonl (default), json, csv or table\n"},
    {"query", cli_cmd_query, "read rows, with filter, projection and time travel",
     "usage: deltalake query TABLE [--select a,b] [--where PREDICATE] [--order-by KEYS]\n"
     "                       [--version N | --as-of TIMESTAMP] [--limit N] [--format F] "
     "[--explain]\n"
     "                       [--count]\n"
     "  --select COLS          columns to return (default: all)\n"
     "  --where PREDICATE      filter, e.g. \"service_name = 'web' AND status_code >= 500\"\n"
     "                         = != <> < <= > >=, AND OR NOT, IS [NOT] NULL, [NOT] IN (..),\n"
     "                         [NOT] BETWEEN a AND b, [NOT] LIKE 'a%_', + - * / %, 'text',\n"
     "                         42, 1.5, TRUE, NULL, DATE '2024-01-01', TIMESTAMP '...',\n"
     "                         struct.field, `odd name` (all of it: man deltalake)\n"
     "  --version N            read the table as of version N\n"
     "  --as-of TIMESTAMP      read the table as of an RFC 3339 timestamp\n"
     "  --order-by KEYS        'expr [ASC|DESC] [NULLS FIRST|LAST], ...' (default ASC,\n"
     "                         NULLS LAST, as DuckDB); with --limit only the top N are kept\n"
     "  --limit N              return at most N rows\n"
     "  --explain              print files and row groups scanned/skipped\n"
     "  --count                print only the number of matching rows (without --where:\n"
     "                         from the log's file statistics, no data file read)\n" FMT_OPT},
    {"history", cli_cmd_history, "list the table's commits",
     "usage: deltalake history TABLE [--limit N] [--format F]\n"
     "  --limit N              newest N versions only\n" FMT_OPT},
    {"describe", cli_cmd_describe, "show version, schema, partitioning, properties, protocol",
     "usage: deltalake describe TABLE [--version N] [--format F]\n"
     "  --version N            describe version N\n" FMT_OPT},
    {"alter", cli_cmd_alter, "change the schema: add, rename or drop a column",
     "usage: deltalake alter TABLE (--add-column 'NAME TYPE' | --rename-column OLD=NEW |\n"
     "                             --drop-column NAME | --enable-column-mapping)\n"
     "  --add-column 'N T'     add a nullable column N of Delta type T (e.g. 'user_id string')\n"
     "  --rename-column O=N    rename a column, O may be a path a.b (metadata only; enables column "
     "mapping)\n"
     "  --drop-column NAME     drop a column or struct field a.b (metadata only; enables column "
     "mapping;\n"
     "                         partition columns cannot be dropped)\n"
     "  --enable-column-mapping  delta.columnMapping.mode=name (protocol reader 3 / writer 7)\n"
     "  prints {\"version\"}: the committed version\n"},
    {"stats", cli_cmd_stats, "show size, file, partition and record counts",
     "usage: deltalake stats TABLE [--version N] [--format F]\n"
     "  --version N            statistics of version N\n"
     "  (json/jsonl: one object incl. files per partition; csv: one row per partition)\n" FMT_OPT},
    {"optimize", cli_cmd_optimize, "compact small files, optionally Z-order",
     "usage: deltalake optimize TABLE [--zorder a,b] [--where PARTITION_PREDICATE]\n"
     "                          [--target-size BYTES]\n"
     "  --zorder COLS          Z-order rows by these columns\n"
     "  --where PREDICATE      only partitions matching this predicate\n"
     "  --target-size BYTES    target file size (suffix K, M, G; default delta.targetFileSize\n"
     "                         or 128M)\n"
     "  --min-size BYTES       files below this are compacted (default target / 4)\n"
     "  prints {\"version\", \"files_added\", \"files_removed\", \"bytes_before\", "
     "\"bytes_after\",\n"
     "          \"partitions_optimized\", \"rows\", \"z_order_columns\"} (version -1: nothing to "
     "do)\n"},
    {"vacuum", cli_cmd_vacuum, "delete files no longer referenced",
     "usage: deltalake vacuum TABLE [--retention-hours N] [--dry-run] [--force]\n"
     "  --retention-hours N    keep files needed within N hours (default 168)\n"
     "  --dry-run              list what would be deleted\n"
     "  --force                allow a retention below delta.deletedFileRetentionDuration\n"
     "  prints the paths deleted (or to delete); a summary goes to stderr\n" FMT_OPT},
    {"restore", cli_cmd_restore, "restore the table to an earlier version",
     "usage: deltalake restore TABLE (--version N | --as-of TIMESTAMP)\n"
     "  --version N            make the active files those of version N\n"
     "  --as-of TS             ... of the newest version at or before TS (RFC 3339),\n"
     "                         as query --as-of (--timestamp TS is an alias)\n"
     "  prints {\"version\", \"restored_version\", \"files_added\", \"files_removed\"}\n"},
    {"checkpoint", cli_cmd_checkpoint, "write a checkpoint of the latest version",
     "usage: deltalake checkpoint TABLE\n"},
    {"check", cli_cmd_check, "validate the table against the Delta protocol",
     "usage: deltalake check TABLE [--log-only] [--read-data] [--format table|jsonl|csv|json]\n"
     "  one row per finding (code, version, path, message); a summary on stderr\n"
     "  --log-only             check the log and replayed state only (no data files)\n"
     "  --read-data            check stats against the values (a full read), not the footer\n"
     "  exit status 0 when the table is sound, 1 with the problems listed otherwise\n"},
    {"parquet", cli_cmd_parquet, "inspect a Parquet file",
     "usage: deltalake parquet dump FILE [--columns a,b] [--format F]\n"
     "       deltalake parquet schema FILE\n"
     "       deltalake parquet meta FILE\n" FMT_OPT},
    {"serve", cli_cmd_serve, "run the OTLP/HTTP receiver writing to Delta tables",
     "usage: deltalake serve [--config deltalake.toml]\n"},
    {NULL, NULL, NULL, NULL},
};

const cli_command *cli_find_command(const char *name)
{
    for (const cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}
