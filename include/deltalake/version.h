/* deltalake/version.h - library version. Since: 0.1 */
#ifndef DELTALAKE_VERSION_H
#define DELTALAKE_VERSION_H

#include "deltalake/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DLK_VERSION_MAJOR 0
#define DLK_VERSION_MINOR 1
#define DLK_VERSION_PATCH 0

/** Version of the library linked in, "MAJOR.MINOR.PATCH"; static string. */
DLK_EXTERN const char *dlk_version(void);

/** Engine description written to commitInfo.engineInfo and Parquet created_by
 *  ("deltalake-connector/0.1.0"); static string. */
DLK_EXTERN const char *dlk_engine_info(void);

#ifdef __cplusplus
}
#endif
#endif
