/*
 * api/connector_int.h - the structs behind the connector's opaque handles
 * (include/deltalake/connector.h), shared by connector.c, table_ops.c,
 * query_builder.c and alter.c.
 */
#ifndef DLK_API_CONNECTOR_INT_H
#define DLK_API_CONNECTOR_INT_H

#include "deltalake/connector.h"
#include "deltalake/sys/storage.h"

struct dlk_connector {
    dlk_config cfg; /* deep copy */
    char *root;     /* folder named tables live under */
};

struct dlk_table_handle {
    dlk_connector *c; /* borrowed */
    char *location;
    char *name;
};

/* Monotonic clock in milliseconds (for latencies). */
double dlk_api__now_ms(void);

/* Record an operation's latency in the table's op metrics (no-op when the
 * maintenance layer is not built). kind: dlk_op_kind. */
void dlk_api__metrics_record(const char *table, int kind, double ms, bool ok);

/* Auto-optimize / auto-vacuum after a commit at `version`, as the config says.
 * Failures are logged, never returned. */
void dlk_api__after_write(dlk_table_handle *t, int64_t version);

#endif
