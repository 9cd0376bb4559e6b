/*
 * api/connector_int.h - the structs behind the connector's opaque handles
 * (include/deltalake/connector.h), shared by connector.c, table_ops.c,
 * query_builder.c and schema_evolve.c.
 */
#ifndef DLK_API_CONNECTOR_INT_H
#define DLK_API_CONNECTOR_INT_H

#include "deltalake/connector.h"

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
 * maintenance layer is not built). kind: dlk_handle_op. */
void dlk_api__metrics_record(const char *table, int kind, double ms, bool ok);

/* Auto-optimize / auto-vacuum after a commit at `version`, as the config says.
 * Failures are logged, never returned. */
void dlk_api__after_write(dlk_table_handle *t, int64_t version);

/* schema_evolve.c: a new protocol with the features added (reader and
 * writer; upgrading a legacy protocol to 3/7 with its implied features), or
 * NULL when the protocol has them all. The caller decrefs. */
struct json_t;
struct json_t *dlk_api__protocol_with(struct json_t *proto, const char *const *feats, size_t n);

/* schema_colmap.c: give the fields of ns without a column-mapping id a new
 * id and physical name; returns a copy of the table's configuration with
 * delta.columnMapping.maxColumnId updated (caller decrefs), NULL on error. */
struct dlk_txn_state;
struct json_t *dlk_api__cm_assign_new(const struct dlk_txn_state *st, struct ArrowSchema *ns);

#endif
