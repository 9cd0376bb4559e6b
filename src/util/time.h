/*
 * util/time.h - dates and timestamps as Delta stores them.
 *
 * A date is days since 1970-01-01 (int32); a timestamp is microseconds
 * since 1970-01-01T00:00:00Z (int64), proleptic Gregorian calendar, years
 * 0001-9999.
 *
 * dlk_parse_timestamp accepts RFC 3339 / ISO 8601:
 *     2024-01-01T12:30:00Z, 2024-01-01T12:30:00.123456+02:00,
 *     2024-01-01 12:30:00 (space separator, as in Delta partition values),
 *     2024-01-01 (midnight), fractions of 1-9 digits (cut to microseconds).
 * A missing offset means UTC, *had_zone tells whether one was given (for
 * timestamp_ntz, which must have none).
 */
#ifndef DLK_UTIL_TIME_H
#define DLK_UTIL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DLK_MICROS_PER_SEC 1000000LL
#define DLK_MICROS_PER_DAY 86400000000LL

int64_t dlk_days_from_civil(int64_t y, unsigned m, unsigned d);
void dlk_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Parse n bytes of s. DLK_PARSE with the text and position on error. */
int dlk_parse_date(const char *s, size_t n, int32_t *days);
int dlk_parse_timestamp(const char *s, size_t n, int64_t *micros, bool *had_zone);

/* Format into out (at least 32 bytes); returns the length written.
 * date: YYYY-MM-DD; timestamp: YYYY-MM-DDTHH:MM:SS.ffffffZ (utc=true) or
 * without the Z (utc=false, timestamp_ntz). */
size_t dlk_format_date(int32_t days, char *out);
size_t dlk_format_timestamp(int64_t micros, bool utc, char *out);

/* Epoch numbers in timestamp columns: unit is a dlk_timestamp_unit
 * (1 s, 2 ms, 3 us, 4 ns). Integers are exact (ns floor to the
 * microsecond); doubles round to the nearest microsecond. false when the
 * result is outside years 0001-9999 or the double is not finite. */
bool dlk_ts_from_epoch_int(int64_t v, int unit, int64_t *micros);
bool dlk_ts_from_epoch_double(double v, int unit, int64_t *micros);
/* "s" / "ms" / "us" / "ns" for a unit (NULL for none). */
const char *dlk_ts_unit_name(int unit);

/* Wall clock, microseconds since the epoch; monotonic clock in ns. */
int64_t dlk_now_micros(void);
int64_t dlk_monotonic_ns(void);

/* A Delta interval property ("interval 7 days", "168 hours", "1 week") in
 * milliseconds; false when absent or unparsable. */
bool dlk_interval_ms(const char *text, double *ms);

#endif
