/*
 * parquet/reader.h - Parquet file reader (internal API used by the Delta
 * snapshot/scan code and the CLI through include/deltalake/parquet.h).
 *
 * Output types (Arrow formats): timestamps are always microseconds
 * ("tsu:UTC" when isAdjustedToUTC, legacy TIMESTAMP_MILLIS/MICROS or INT96,
 * "tsu:" otherwise; nanoseconds cut to micros), DATE "tdD", DECIMAL "d:p,s"
 * (128-bit little-endian whatever the physical type), STRING/ENUM/JSON "u",
 * other BYTE_ARRAY "z", UUID "w:16", other FIXED_LEN_BYTE_ARRAY "w:N",
 * INTEGER(8/16/32/64, signed) c/s/i/l, unsigned C/S/I/L, FLOAT16 "f"
 * (converted), TIME "ttm" (int32 ms) / "ttu" (int64 us, nanos cut),
 * dictionaries decoded, MAP "+m" (entries struct key/value), LIST "+l".
 * Bare repeated fields (no LIST annotation) become non-null lists.
 *
 * Errors: DLK_CORRUPT with file name and byte offset, DLK_UNSUPPORTED
 * (encrypted files, LZO, unknown encodings) naming the feature.
 */
#ifndef DLK_PARQUET_READER_H
#define DLK_PARQUET_READER_H

#include "deltalake/arrow_abi.h"
#include "parquet/meta.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deltalake/parquet.h"

/* dlk_pq_open_memory over a dlk_malloc'ed block the file takes over (freed
 * by dlk_pq_close, or here on failure). dlk_pq_open_path (which reads the
 * file through storage, above this module) is implemented in read/. */
int dlk_pq__open_owned(uint8_t *data, size_t len, const char *name, dlk_pq_file **out);

/* Raw metadata (borrowed), for tools. */
const dlk_pq_file_meta *dlk_pq_file_metadata(const dlk_pq_file *f);

#endif
