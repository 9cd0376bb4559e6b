/* util/log.c - leveled logging (see util/log.h). */
#include "util/log.h"
#include "util/str.h"
#include "util/time.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int g_level = -1;

dlk_log_level dlk_log_get_level(void)
{
    if (g_level < 0) {
        const char *e = getenv("DELTALAKE_LOG");
        int lvl = DLK_LOG_WARN;
        if (e) {
            if (dlk_str_ieq(e, "off")) lvl = DLK_LOG_OFF;
            else if (dlk_str_ieq(e, "error")) lvl = DLK_LOG_ERROR;
            else if (dlk_str_ieq(e, "warn")) lvl = DLK_LOG_WARN;
            else if (dlk_str_ieq(e, "info")) lvl = DLK_LOG_INFO;
            else if (dlk_str_ieq(e, "debug")) lvl = DLK_LOG_DEBUG;
            else if (dlk_str_ieq(e, "trace")) lvl = DLK_LOG_TRACE;
        }
        g_level = lvl;
    }
    return (dlk_log_level)g_level;
}

void dlk_log_set_level(dlk_log_level lvl) { g_level = (int)lvl; }

void dlk_log_write(dlk_log_level lvl, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"off", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    char ts[40];
    dlk_format_timestamp(dlk_now_micros(), true, ts);
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %-5s [%s] %s\n", ts, names[lvl], module, line);
}
