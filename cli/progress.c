/*
 * cli/progress.c - the progress line of long commands and --quiet: on a
 * terminal stderr, "write: 1.2M rows, 85.3 MiB, 3 files, 410k rows/s,
 * 2.9 s" redrawn at most five times a second from the library's progress
 * callback (deltalake/progress.h) and cleared at the end; nothing in pipes.
 * SIGINT/SIGTERM during such a command cancel it (the library removes the
 * files it wrote and commits nothing); a second signal kills as usual.
 */
#include "cli.h"
#include "output.h"
#include "deltalake/progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *g_cmd;
static int64_t g_last_us = -1;
static bool g_drawn;
bool cli_quiet;

static void human_count(int64_t v, char *out, size_t cap)
{
    if (v < 10000)
        snprintf(out, cap, "%lld", (long long)v);
    else if (v < 10000000)
        snprintf(out, cap, "%.1fk", (double)v / 1e3);
    else if (v < 10000000000LL)
        snprintf(out, cap, "%.1fM", (double)v / 1e6);
    else
        snprintf(out, cap, "%.1fG", (double)v / 1e9);
}

static void draw(const dlk_progress *p, bool force)
{
    if (!force && g_last_us >= 0 && p->elapsed_us - g_last_us < 200000) return;
    g_last_us = p->elapsed_us;
    char rows[32], bytes[32], rate[32];
    human_count(p->rows, rows, sizeof rows);
    cli_human_bytes(p->bytes, bytes, sizeof bytes);
    double secs = (double)p->elapsed_us / 1e6;
    human_count(secs > 0 ? (int64_t)((double)p->rows / secs) : 0, rate, sizeof rate);
    if (p->files_deleted && !p->rows)
        fprintf(stderr, "\r\033[K%s: %lld files deleted, %.1f s", g_cmd,
                (long long)p->files_deleted, secs);
    else
        fprintf(stderr, "\r\033[K%s: %s rows, %s, %lld file%s, %s rows/s, %.1f s", g_cmd, rows,
                bytes, (long long)p->files, p->files == 1 ? "" : "s", rate, secs);
    fflush(stderr);
    g_drawn = true;
}

static void on_progress(const dlk_progress *p, void *user)
{
    (void)user;
    draw(p, false);
}

static volatile sig_atomic_t g_signalled;

bool cli_interrupted(void)
{
    return g_signalled != 0;
}

static void on_signal(int sig)
{
    g_signalled = 1;
    dlk_progress_cancel();
    signal(sig, SIG_DFL); /* a second one stops the process */
}

void cli_progress_start(const char *cmd)
{
    static const char *const LONG_COMMANDS[] = {
        "write", "upsert", "update", "delete", "optimize", "vacuum", "restore", "checkpoint", NULL};
    bool is_long = false;
    for (size_t i = 0; LONG_COMMANDS[i]; i++)
        is_long |= !strcmp(cmd, LONG_COMMANDS[i]);
    if (!is_long) return;
    g_cmd = cmd;
    dlk_progress_reset();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read of stdin returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!cli_quiet && isatty(STDERR_FILENO)) dlk_progress_set_callback(on_progress, NULL);
}

void cli_progress_stop(void)
{
    dlk_progress_set_callback(NULL, NULL);
    if (g_drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    g_drawn = false;
}
