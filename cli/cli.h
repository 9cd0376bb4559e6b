/*
 * cli/cli.h - shared pieces of the deltalake command: option scanning,
 * output formats, error reporting and exit codes. The CLI uses the public
 * API (include/deltalake/) only.
 *
 * Each subcommand is a function `int cli_cmd_<name>(int argc, char **argv)`
 * (argv[0] is the subcommand name) returning an exit code: CLI_OK (0),
 * CLI_ERROR (1, message on stderr) or CLI_USAGE (2, usage on stderr).
 * cli/commands.c holds the table of subcommands with their usage text;
 * an implementation in cli/cmd_<name>.c replaces the weak placeholder.
 */
#ifndef DLK_CLI_H
#define DLK_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

typedef enum { CLI_FMT_TABLE, CLI_FMT_JSONL, CLI_FMT_CSV, CLI_FMT_JSON } cli_format;

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage; /* full --help text (options, one a line) */
} cli_command;

extern const cli_command cli_commands[];
const cli_command *cli_find_command(const char *name);

/* Print "deltalake: <fmt>" to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the library's last error to stderr ("deltalake CMD: CODE: message"); returns CLI_ERROR. */
int cli_fail(const char *cmd);

/*
 * Option scanning. At argv[*i], if the argument is `name` (takes the next
 * argument as value) or `name=value`, sets *value, advances *i past it and
 * returns 1; returns -1 (after printing a usage error) if the value is
 * missing, 0 if the argument is another one.
 */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **value);
/* At argv[*i], if the argument is the flag `name`, sets *out, advances *i
 * and returns true; false for another argument. */
bool cli_opt_flag(char **argv, int *i, const char *name, bool *out);
/* Parse --format's value. Returns false (usage error printed) if unknown. */
bool cli_parse_format(const char *cmd, const char *s, cli_format *out);

/* --quiet / -q (any position; main removes it): no progress line. */
extern bool cli_quiet;
/* Progress line and SIGINT cancellation around a long command (cli/progress.c);
 * does nothing for other commands. */
void cli_progress_start(const char *cmd);
void cli_progress_stop(void);
/* A SIGINT/SIGTERM arrived during the command (cli_fail then reports
 * CANCELLED whatever the library's error, e.g. an interrupted read). */
bool cli_interrupted(void);

/* "ndjson", "csv" or "parquet" from a file name's extension (.ndjson,
 * .jsonl, .json, .csv, .parquet, any case), or NULL for other names. */
const char *cli_format_from_extension(const char *path);
/* --timestamp-unit's value (s, ms, us, ns) into *unit (a dlk_timestamp_unit);
 * false after printing a usage error. */
bool cli_parse_timestamp_unit(const char *cmd, const char *text, int *unit);
/* On a terminal stdin, say on stderr that `cmd` reads records from it. */
void cli_note_stdin(const char *cmd);

/* Print one row of named counts (long values) in format fmt (cli/counts.c). */
#include <stddef.h>
#include <stdint.h>
int cli_print_counts(const char *cmd, cli_format fmt, const char *const *names,
                     const int64_t *values, size_t n);

#endif
