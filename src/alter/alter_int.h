/*
 * alter/alter_int.h - what the files of alter/ share (include/deltalake/alter.h).
 */
#ifndef DLK_ALTER_ALTER_INT_H
#define DLK_ALTER_ALTER_INT_H

#include "deltalake/alter.h"
#include <stddef.h>

/* evolve.c: a new protocol with the features added (reader and writer;
 * upgrading a legacy protocol to 3/7 with its implied features), or NULL
 * when the protocol has them all. The caller decrefs. */
struct json_t;
struct json_t *dlk_alter__protocol_with(struct json_t *proto, const char *const *feats, size_t n);

/* column_mapping.c: give the fields of ns without a column-mapping id a new
 * id and physical name; returns a copy of the table's configuration with
 * delta.columnMapping.maxColumnId updated (caller decrefs), NULL on error. */
struct dlk_txn_state;
struct json_t *dlk_alter__cm_assign_new(const struct dlk_txn_state *st, struct ArrowSchema *ns);

#endif
