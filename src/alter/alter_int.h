/*
 * alter/alter_int.h - what the files of alter/ share (include/deltalake/alter.h).
 */
#ifndef DLK_ALTER_ALTER_INT_H
#define DLK_ALTER_ALTER_INT_H

#include "deltalake/alter.h"
#include <stddef.h>

/* column_mapping.c: give the fields of ns without a column-mapping id a new
 * id and physical name; max_id gets the new delta.columnMapping.maxColumnId
 * value. */
struct dlk_txn_state;
int dlk_alter__cm_assign_new(const struct dlk_txn_state *st, struct ArrowSchema *ns,
                             char max_id[32]);

#endif
