/*
 * util/time_epoch.c - epoch numbers (s, ms, us, ns) as timestamps, for
 * numeric values written into timestamp columns (write.h,
 * dlk_timestamp_unit).
 */
#include "deltalake/write.h"
#include "util/error.h"
#include "util/str.h"
#include "util/time.h"

#include <math.h>
#include <string.h>

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds */
#define TS_MIN (-62135596800LL * DLK_MICROS_PER_SEC)
#define TS_MAX (253402300800LL * DLK_MICROS_PER_SEC - 1)

static const char *const UNIT_NAMES[] = {NULL, "s", "ms", "us", "ns"};
static const char *const UNIT_LONG[] = {NULL, "seconds", "milliseconds", "microseconds",
                                        "nanoseconds"};

const char *dlk_ts_unit_name(int unit)
{
    return unit >= 1 && unit <= 4 ? UNIT_NAMES[unit] : NULL;
}

int dlk_timestamp_unit_from_name(const char *name, dlk_timestamp_unit *out)
{
    for (int u = 1; name && u <= 4; u++)
        if (dlk_str_ieq(name, UNIT_NAMES[u]) || dlk_str_ieq(name, UNIT_LONG[u])) {
            *out = (dlk_timestamp_unit)u;
            return DLK_OK;
        }
    return dlk_err_set(DLK_INVALID_ARGUMENT, "timestamp unit '%s': expected s, ms, us or ns",
                       name ? name : "(null)");
}

bool dlk_ts_from_epoch_int(int64_t v, int unit, int64_t *micros)
{
    int64_t us;
    switch (unit) {
    case DLK_TIMESTAMP_UNIT_S:
        if (v < TS_MIN / DLK_MICROS_PER_SEC || v > TS_MAX / DLK_MICROS_PER_SEC) return false;
        us = v * DLK_MICROS_PER_SEC;
        break;
    case DLK_TIMESTAMP_UNIT_MS:
        if (v < TS_MIN / 1000 || v > TS_MAX / 1000) return false;
        us = v * 1000;
        break;
    case DLK_TIMESTAMP_UNIT_US:
        us = v;
        break;
    case DLK_TIMESTAMP_UNIT_NS:
        us = v / 1000 - (v % 1000 < 0); /* floor */
        break;
    default:
        return false;
    }
    if (us < TS_MIN || us > TS_MAX) return false;
    *micros = us;
    return true;
}

bool dlk_ts_from_epoch_double(double v, int unit, int64_t *micros)
{
    static const double scale[] = {0, 1e6, 1e3, 1, 1e-3};
    if (unit < 1 || unit > 4 || !isfinite(v)) return false;
    double us = nearbyint(v * scale[unit]);
    if (!(us >= (double)TS_MIN && us <= (double)TS_MAX)) return false;
    *micros = (int64_t)us;
    return true;
}
