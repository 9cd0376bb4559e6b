/*
 * deltalake/types.h - the library's handle types (forward typedefs of
 * opaque structs, so headers can name a handle without including the header
 * that works on it) and the one free of strings the library returns.
 *
 * Handles and their headers:
 *   dlk_table, dlk_snapshot              table.h
 *   dlk_storage                          sys/storage.h (backend ABI)
 *   dlk_pq_file                          parquet.h
 *   dlk_expr                             expr.h
 *   dlk_where                            where.h
 *   dlk_scan_row_group                   scan.h
 *   dlk_history                          maintenance.h
 *   dlk_schema_builder                   schema.h
 *   dlk_connector, dlk_table_handle,
 *   dlk_query, dlk_records               connector.h
 *
 * Strings: every `char *` (and `char **` array of them) the library hands
 * to the caller through an out parameter is freed with dlk_string_free
 * (dlk_string_list_free for arrays); never with free(), as the library may
 * use its own allocator (util/alloc.h).
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_TYPES_H
#define DELTALAKE_TYPES_H

#include "deltalake/errors.h"
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dlk_table dlk_table;
typedef struct dlk_snapshot dlk_snapshot;
typedef struct dlk_storage dlk_storage;
typedef struct dlk_pq_file dlk_pq_file;
typedef struct dlk_expr dlk_expr;
typedef struct dlk_where dlk_where;
typedef struct dlk_scan_row_group dlk_scan_row_group;
typedef struct dlk_history dlk_history;
typedef struct dlk_schema_builder dlk_schema_builder;
typedef struct dlk_connector dlk_connector;
typedef struct dlk_table_handle dlk_table_handle;
typedef struct dlk_query dlk_query;
typedef struct dlk_records dlk_records;

/** Free a string returned by the library (NULL-safe). */
DLK_EXTERN void dlk_string_free(char *s);
/** Free an array of n strings returned by the library, and the array
 *  (NULL-safe). */
DLK_EXTERN void dlk_string_list_free(char **list, size_t n);

#ifdef __cplusplus
}
#endif
#endif
