/* util/error.c - the thread-local last error (see util/error.h). */
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_CAP 2048
#define DETAIL_CAP 1024

typedef struct {
    dlk_error pub;
    char msg[MSG_CAP];
    char expected[DETAIL_CAP];
    char actual[DETAIL_CAP];
    char partition[DETAIL_CAP];
} err_state;

static _Thread_local err_state g_err = {.pub = {.code = 0, .message = "", .conflict_version = -1}};

static void reset_details(void)
{
    g_err.pub.expected = NULL;
    g_err.pub.actual = NULL;
    g_err.pub.partition = NULL;
    g_err.pub.conflict_version = -1;
}

const dlk_error *dlk_error_last(void)
{
    if (!g_err.pub.message) g_err.pub.message = "";
    return &g_err.pub;
}

void dlk_error_clear(void)
{
    g_err.pub.code = DLK_OK;
    g_err.msg[0] = 0;
    g_err.pub.message = g_err.msg;
    reset_details();
}

void *dlk_err_save(void)
{
    err_state *s = malloc(sizeof *s);
    if (s) memcpy(s, &g_err, sizeof *s);
    return s;
}

void dlk_err_restore(void *saved)
{
    if (!saved) return;
    /* the saved pointers point into g_err's own buffers (or at constants) */
    memcpy(&g_err, saved, sizeof g_err);
    free(saved);
}

const char *dlk_status_name(int code)
{
    switch (code) {
    case DLK_OK:
        return "OK";
    case DLK_ERROR:
        return "ERROR";
    case DLK_INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
    case DLK_PARSE:
        return "PARSE";
    case DLK_IO:
        return "IO";
    case DLK_NOT_FOUND:
        return "NOT_FOUND";
    case DLK_ALREADY_EXISTS:
        return "ALREADY_EXISTS";
    case DLK_UNSUPPORTED:
        return "UNSUPPORTED";
    case DLK_CORRUPT:
        return "CORRUPT";
    case DLK_NO_MEMORY:
        return "NO_MEMORY";
    case DLK_SCHEMA_MISMATCH:
        return "SCHEMA_MISMATCH";
    case DLK_CONCURRENT_MODIFICATION:
        return "CONCURRENT_MODIFICATION";
    case DLK_PARTITION_NOT_FOUND:
        return "PARTITION_NOT_FOUND";
    case DLK_CANCELLED:
        return "CANCELLED";
    default:
        return "UNKNOWN";
    }
}

int dlk_err_vset(int code, const char *fmt, va_list ap)
{
    reset_details();
    g_err.pub.code = code;
    vsnprintf(g_err.msg, MSG_CAP, fmt, ap);
    g_err.pub.message = g_err.msg;
    return code;
}

int dlk_err_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dlk_err_vset(code, fmt, ap);
    va_end(ap);
    return code;
}

int dlk_err_context(int code, const char *fmt, ...)
{
    char prefix[MSG_CAP / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (g_err.pub.code == DLK_OK) {
        /* no message recorded yet: the context and the code name are all we have */
        g_err.pub.code = code;
        g_err.msg[0] = 0;
        strncat(g_err.msg, dlk_status_name(code), MSG_CAP - 1);
    }
    size_t pl = strlen(prefix), ml = strlen(g_err.msg);
    if (pl + 2 + ml >= MSG_CAP) ml = MSG_CAP - 1 - pl - 2;
    memmove(g_err.msg + pl + 2, g_err.msg, ml);
    memcpy(g_err.msg, prefix, pl);
    g_err.msg[pl] = ':';
    g_err.msg[pl + 1] = ' ';
    g_err.msg[pl + 2 + ml] = 0;
    g_err.pub.message = g_err.msg;
    return code;
}

static void copy_detail(char *dst, const char *src)
{
    snprintf(dst, DETAIL_CAP, "%s", src ? src : "");
}

int dlk_err_schema_mismatch(const char *expected, const char *actual, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dlk_err_vset(DLK_SCHEMA_MISMATCH, fmt, ap);
    va_end(ap);
    copy_detail(g_err.expected, expected);
    copy_detail(g_err.actual, actual);
    g_err.pub.expected = g_err.expected;
    g_err.pub.actual = g_err.actual;
    return DLK_SCHEMA_MISMATCH;
}

int dlk_err_conflict(int64_t version, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dlk_err_vset(DLK_CONCURRENT_MODIFICATION, fmt, ap);
    va_end(ap);
    g_err.pub.conflict_version = version;
    return DLK_CONCURRENT_MODIFICATION;
}

int dlk_err_partition(const char *partition, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dlk_err_vset(DLK_PARTITION_NOT_FOUND, fmt, ap);
    va_end(ap);
    copy_detail(g_err.partition, partition);
    g_err.pub.partition = g_err.partition;
    return DLK_PARTITION_NOT_FOUND;
}

int dlk_err_errno(const char *op, const char *path)
{
    int e = errno;
    int code = (e == ENOENT || e == ENOTDIR) ? DLK_NOT_FOUND
               : e == EEXIST                 ? DLK_ALREADY_EXISTS
               : e == ENOMEM                 ? DLK_NO_MEMORY
                                             : DLK_IO;
    return dlk_err_set(code, "%s: %s: %s", path ? path : "?", op, strerror(e));
}

int dlk_err_nomem(void)
{
    return dlk_err_set(DLK_NO_MEMORY, "out of memory");
}
