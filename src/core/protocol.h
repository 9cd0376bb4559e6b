/*
 * core/protocol.h - the protocol on the write side: which features a
 * protocol supports (legacy reader 1-2 / writer 2-6 versions and table
 * features alike), the one protocol upgrade every writer uses, the check
 * that this writer can write a table, and the check that a table's
 * metadata uses only features its protocol supports.
 *
 * Legacy versions imply features (the Delta protocol, "Table Features"):
 * reader 2 columnMapping; writer 2 appendOnly and invariants, 3
 * checkConstraints, 4 changeDataFeed and generatedColumns, 5 columnMapping,
 * 6 identityColumns. An upgrade to table features (reader 3 / writer 7)
 * lists every feature the old protocol implied, so nothing a table relies
 * on is dropped.
 */
#ifndef DLK_CORE_PROTOCOL_H
#define DLK_CORE_PROTOCOL_H

#include "core/txn.h"
#include "log/actions.h"
#include <stdbool.h>

/* Is `feature` a reader-writer feature (listed in readerFeatures too)? */
bool dlk_core__feature_is_reader(const char *feature);

/* Does the protocol support `feature` as a writer feature (legacy
 * implication or listed)? NULL: no. */
bool dlk_core__protocol_supports(const dlk_protocol_action *p, const char *feature);
/* The same, and when reader is true and the feature is a reader-writer
 * one, also for readers (readerFeatures, or legacy reader 2 for
 * columnMapping). */
bool dlk_core__protocol_supports_for(const dlk_protocol_action *p, const char *feature,
                                     bool reader);

/* *out: the protocol that supports everything `proto` supports plus
 * feats[0..n); *changed tells whether it differs from proto (false: *out
 * is a copy of *proto). proto NULL: a new table (reader 1 / writer 2 when n
 * is 0). Reader-writer features go to both lists, writer-only ones to
 * writerFeatures (the reader version stays legacy when only writer
 * features are added to a legacy reader version). Lists are allocated in
 * a. */
int dlk_core__protocol_upgrade(const dlk_protocol_action *proto, const char *const *feats, size_t n,
                               dlk_arena *a, dlk_protocol_action *out, bool *changed);

/* Refuse (DLK_UNSUPPORTED naming the feature) tables whose writer
 * requirements this writer does not meet (or that it cannot fully read:
 * the reader version and features, as dlk_core_protocol_check_read): a
 * writer version above 7, an
 * unknown table feature, or a known feature in use whose behaviour this
 * writer does not implement (check constraints, change data feed,
 * generated or identity columns). */
int dlk_core__check_writable(const dlk_txn_state *st);

/* The first feature the metadata uses (column mapping mode, change data
 * feed, deletion vectors enabled, timestamp without time zone columns) that
 * the protocol does not support; NULL when there is none. schema may be
 * NULL (no column checks). */
const char *dlk_core__protocol_missing_feature(const dlk_protocol_action *p,
                                               const dlk_metadata_action *m,
                                               const struct ArrowSchema *schema);

#endif
