/* cli/input.c - small helpers for commands that read records: the input
 * format from a file's extension, and a note when stdin is a terminal. */
#include "cli.h"
#include "deltalake/write.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *cli_format_from_extension(const char *path)
{
    static const struct {
        const char *ext, *fmt;
    } EXT[] = {{".ndjson", "ndjson"},
               {".jsonl", "ndjson"},
               {".json", "ndjson"},
               {".csv", "csv"},
               {".parquet", "parquet"}};
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof EXT / sizeof EXT[0]; i++) {
        size_t e = strlen(EXT[i].ext);
        if (n > e && !strcasecmp(path + n - e, EXT[i].ext)) return EXT[i].fmt;
    }
    return NULL;
}

void cli_note_stdin(const char *cmd)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr,
                "deltalake %s: reading records from standard input (end with Ctrl-D; "
                "--input FILE reads a file)\n",
                cmd);
}

bool cli_parse_timestamp_unit(const char *cmd, const char *text, int *unit)
{
    dlk_timestamp_unit u;
    if (dlk_timestamp_unit_from_name(text, &u)) {
        cli_usage_error(cmd, "--timestamp-unit must be s, ms, us or ns, got '%s'", text);
        return false;
    }
    *unit = (int)u;
    return true;
}
