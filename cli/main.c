/* cli/main.c - entry point of the deltalake command: global options and
 * subcommand dispatch. */
#include "cli.h"
#include "deltalake/deltalake.h"

#ifdef DLK_HAVE_BUILD_INFO
#include "dlk_build_info.h"
#endif
#ifndef DLK_GIT_COMMIT
#define DLK_GIT_COMMIT "unknown"
#endif
#ifndef DLK_BUILD_FEATURES
#define DLK_BUILD_FEATURES "unknown"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void print_help(FILE *f)
{
    fprintf(f, "usage: deltalake [--version] [--help] COMMAND [ARGS]\n\n"
               "Store telemetry and any JSON records in Delta Lake tables.\n"
               "TABLE is a local path or an s3://bucket/prefix URI.\n\ncommands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-11s %s\n", c->name, c->summary);
    fprintf(f, "\nRun 'deltalake COMMAND --help' for a command's options.\n"
               "Long commands show progress on a terminal; --quiet (-q) turns it off.\n"
               "Set DELTALAKE_LOG=error|warn|info|debug|trace for diagnostics on stderr.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "deltalake%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    const cli_command *c = cmd ? cli_find_command(cmd) : NULL;
    if (c)
        fputs(c->usage, stderr);
    else
        fputs("Run 'deltalake --help' for the list of commands.\n", stderr);
    return CLI_USAGE;
}

int cli_fail(const char *cmd)
{
    const dlk_error *e = dlk_error_last();
    if (cli_interrupted() && e->code != DLK_CANCELLED) {
        fprintf(
            stderr,
            "deltalake %s: CANCELLED: interrupted before the commit; nothing committed (%s: %s)\n",
            cmd, dlk_status_name(e->code), e->message);
        return CLI_ERROR;
    }
    fprintf(stderr, "deltalake %s: %s: %s\n", cmd, dlk_status_name(e->code), e->message);
    return CLI_ERROR;
}

bool cli_opt_flag(char **argv, int *i, const char *name, bool *out)
{
    if (strcmp(argv[*i], name)) return false;
    *out = true;
    (*i)++;
    return true;
}

int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        (*i)++;
        return 1;
    }
    if (a[n] != 0) return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(argv[0], "option %s needs a value", name);
        return -1;
    }
    *value = argv[*i + 1];
    *i += 2;
    return 1;
}

bool cli_parse_format(const char *cmd, const char *s, cli_format *out)
{
    if (strcmp(s, "table") == 0)
        *out = CLI_FMT_TABLE;
    else if (strcmp(s, "jsonl") == 0)
        *out = CLI_FMT_JSONL;
    else if (strcmp(s, "csv") == 0)
        *out = CLI_FMT_CSV;
    else if (strcmp(s, "json") == 0)
        *out = CLI_FMT_JSON;
    else {
        cli_usage_error(cmd, "unknown format '%s' (table, jsonl, csv or json)", s);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        if (strcmp(cmd, "help") == 0 && argc > 2) {
            const cli_command *c = cli_find_command(argv[2]);
            if (!c) return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
            fputs(c->usage, stdout);
            return CLI_OK;
        }
        print_help(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("deltalake %s\ncommit: %s\nfeatures: %s\n", dlk_version(), DLK_GIT_COMMIT,
               DLK_BUILD_FEATURES);
        return CLI_OK;
    }
    const cli_command *c = cli_find_command(cmd);
    if (!c) return cli_usage_error(NULL, "unknown command '%s'", cmd);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return CLI_OK;
        }
    }
    int n = 2;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            cli_quiet = true;
        else
            argv[n++] = argv[i];
    }
    argv[n] = NULL;
    cli_progress_start(cmd);
    int rc = c->run(n - 1, argv + 1);
    cli_progress_stop();
    return rc;
}
