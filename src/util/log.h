/*
 * util/log.h - leveled logging to stderr, switched on by the environment:
 * DELTALAKE_LOG=error|warn|info|debug|trace (default: warn).
 */
#ifndef DLK_UTIL_LOG_H
#define DLK_UTIL_LOG_H

#include "util/error.h"

typedef enum { DLK_LOG_OFF, DLK_LOG_ERROR, DLK_LOG_WARN, DLK_LOG_INFO, DLK_LOG_DEBUG, DLK_LOG_TRACE } dlk_log_level;

dlk_log_level dlk_log_get_level(void);
void dlk_log_set_level(dlk_log_level lvl); /* overrides the environment */
void dlk_log_write(dlk_log_level lvl, const char *module, const char *fmt, ...) DLK_PRINTF(3, 4);

#define DLK_LOG(lvl, mod, ...)                                                                     \
    do {                                                                                           \
        if ((lvl) <= dlk_log_get_level()) dlk_log_write((lvl), (mod), __VA_ARGS__);                \
    } while (0)
#define DLK_ERROR(mod, ...) DLK_LOG(DLK_LOG_ERROR, mod, __VA_ARGS__)
#define DLK_WARN(mod, ...) DLK_LOG(DLK_LOG_WARN, mod, __VA_ARGS__)
#define DLK_INFO(mod, ...) DLK_LOG(DLK_LOG_INFO, mod, __VA_ARGS__)
#define DLK_DEBUG(mod, ...) DLK_LOG(DLK_LOG_DEBUG, mod, __VA_ARGS__)
#define DLK_TRACE(mod, ...) DLK_LOG(DLK_LOG_TRACE, mod, __VA_ARGS__)

#endif
