/*
 * log/actions.h - Delta log actions as plain C structs, parsed from the JSON
 * lines of a commit file (json/json.h) or from checkpoint rows, and serialised
 * back to JSON lines for writers.
 *
 * Field names follow the Delta protocol ("Actions"). Strings are NUL-terminated and
 * borrowed: parsed actions point into the dlk_arena given to the parser
 * (the log segment / snapshot owns it); actions built by a writer may point
 * anywhere, serialisation only reads them. A NULL string means the field is
 * absent (or JSON null). Optional numbers come with a has_* flag.
 *
 * add/remove/cdc `path` is kept exactly as stored (a URL-encoded relative
 * path, or an absolute URI); dlk_log_path_decode gives the file location.
 *
 * Errors: DLK_CORRUPT naming the action and field when the JSON is not an
 * object, a required field is missing or has the wrong type; unknown action
 * kinds are returned as DLK_ACTION_UNKNOWN (readers ignore them).
 */
#ifndef DLK_LOG_ACTIONS_H
#define DLK_LOG_ACTIONS_H

#include "util/arena.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dlk_kv {
    const char *key;
    const char *value; /* NULL: null value (e.g. a null partition value) */
} dlk_kv;

typedef struct dlk_kvs {
    dlk_kv *items;
    size_t n;
} dlk_kvs;

/* Value of key in kvs; *found tells whether the key exists. */
const char *dlk_kvs_get(const dlk_kvs *kvs, const char *key, bool *found);

typedef struct dlk_dv {
    char storage_type;          /* 'u', 'i' or 'p' */
    const char *path_or_inline; /* see the Delta protocol, Deletion Vector Descriptor */
    int64_t offset;             /* valid when has_offset */
    bool has_offset;
    int32_t size_in_bytes;
    int64_t cardinality;
    int64_t max_row_index;
    bool has_max_row_index;
} dlk_dv;

/* uniqueId of a DV ("<type><path>[@<offset>]") appended to b. */
int dlk_dv_unique_id(const dlk_dv *dv, dlk_buf *b);

typedef struct dlk_protocol_action {
    int32_t min_reader_version;
    int32_t min_writer_version;
    const char **reader_features; /* NULL when absent */
    size_t n_reader_features;
    const char **writer_features; /* NULL when absent */
    size_t n_writer_features;
} dlk_protocol_action;

typedef struct dlk_metadata_action {
    const char *id;
    const char *name;
    const char *description;
    const char *format_provider; /* "parquet" */
    dlk_kvs format_options;
    const char *schema_string;
    const char **partition_columns;
    size_t n_partition_columns;
    int64_t created_time;
    bool has_created_time;
    dlk_kvs configuration;
} dlk_metadata_action;

typedef struct dlk_add_action {
    const char *path;
    dlk_kvs partition_values;
    int64_t size;
    int64_t modification_time;
    bool data_change;
    const char *stats; /* JSON text or NULL */
    dlk_kvs tags;
    dlk_dv *dv; /* NULL: no deletion vector */
    int64_t base_row_id;
    bool has_base_row_id;
    int64_t default_row_commit_version;
    bool has_default_row_commit_version;
    const char *clustering_provider;
} dlk_add_action;

typedef struct dlk_remove_action {
    const char *path;
    int64_t deletion_timestamp;
    bool has_deletion_timestamp;
    bool data_change;
    bool extended_file_metadata;
    bool has_extended_file_metadata;
    dlk_kvs partition_values;
    bool has_partition_values;
    int64_t size;
    bool has_size;
    const char *stats;
    dlk_kvs tags;
    dlk_dv *dv;
    int64_t base_row_id;
    bool has_base_row_id;
    int64_t default_row_commit_version;
    bool has_default_row_commit_version;
} dlk_remove_action;

typedef struct dlk_txn_action {
    const char *app_id;
    int64_t version;
    int64_t last_updated;
    bool has_last_updated;
} dlk_txn_action;

typedef struct dlk_domain_metadata_action {
    const char *domain;
    const char *configuration; /* a JSON string's content */
    bool removed;
} dlk_domain_metadata_action;

typedef struct dlk_commit_info_action {
    const char *json; /* the whole commitInfo object as compact JSON (parsed), or
                         a writer-supplied object text to serialise verbatim */
    int64_t timestamp;
    bool has_timestamp;
    int64_t in_commit_timestamp;
    bool has_in_commit_timestamp;
    const char *operation;
} dlk_commit_info_action;

typedef struct dlk_cdc_action {
    const char *path;
    dlk_kvs partition_values;
    int64_t size;
    bool data_change;
    dlk_kvs tags;
} dlk_cdc_action;

typedef struct dlk_sidecar_action {
    const char *path; /* relative to _delta_log/_sidecars/ (or absolute) */
    int64_t size_in_bytes;
    int64_t modification_time;
    dlk_kvs tags;
} dlk_sidecar_action;

typedef struct dlk_checkpoint_metadata_action {
    int64_t version;
    dlk_kvs tags;
} dlk_checkpoint_metadata_action;

typedef enum dlk_action_kind {
    DLK_ACTION_UNKNOWN = 0,
    DLK_ACTION_PROTOCOL,
    DLK_ACTION_METADATA,
    DLK_ACTION_ADD,
    DLK_ACTION_REMOVE,
    DLK_ACTION_TXN,
    DLK_ACTION_DOMAIN_METADATA,
    DLK_ACTION_COMMIT_INFO,
    DLK_ACTION_CDC,
    DLK_ACTION_SIDECAR,
    DLK_ACTION_CHECKPOINT_METADATA,
} dlk_action_kind;

typedef struct dlk_action {
    dlk_action_kind kind;
    union {
        dlk_protocol_action protocol;
        dlk_metadata_action metadata;
        dlk_add_action add;
        dlk_remove_action remove;
        dlk_txn_action txn;
        dlk_domain_metadata_action domain_metadata;
        dlk_commit_info_action commit_info;
        dlk_cdc_action cdc;
        dlk_sidecar_action sidecar;
        dlk_checkpoint_metadata_action checkpoint_metadata;
    } u;
} dlk_action;

/* JSON key of an action kind ("add", "metaData", ...); "unknown" otherwise. */
const char *dlk_action_kind_name(dlk_action_kind k);

/* Parse one JSON line (n bytes, need not be NUL-terminated). Blank lines give
 * DLK_ACTION_UNKNOWN. Strings are allocated in a. */
int dlk_log_action_parse(const char *line, size_t n, dlk_arena *a, dlk_action *out);

/* Does a commit file of n bytes hold no action at all (empty or only
 * whitespace)? Such a file is never a valid commit: a write that did not
 * finish, or a damaged copy. */
bool dlk_log_commit_is_empty(const char *data, size_t n);

/* Parse a whole commit file (newline-delimited JSON) into a vector of
 * dlk_action (v must be DLK_VEC_INIT(dlk_action)); unknown actions are
 * skipped. Errors name the 1-based line. */
int dlk_log_commit_parse(const char *data, size_t n, dlk_arena *a, dlk_vec *v);

/* The remove action that retires add `a` at `timestamp_ms` (every field of
 * the add a remove carries, borrowed from it: a must outlive out). */
void dlk_log_remove_of_add(const dlk_add_action *a, int64_t timestamp_ms, bool data_change,
                           dlk_action *out);

/* ---- builders (actions_build.c); strings allocated in the arena ---- */

/* Set key to value in kv (value NULL: a null value), replacing an entry
 * of the same key; kv's items must be its own (from a derive or an
 * earlier set), never borrowed from a replayed state. */
int dlk_log_kvs_set(dlk_arena *a, dlk_kvs *kv, const char *key, const char *value);
/* Remove key from kv (no error when absent). kv's items must be its own
 * (made by dlk_log_kvs_set or a derive), not borrowed. */
int dlk_log_kvs_unset(dlk_kvs *kv, const char *key);
/* A metaData action for a new table: a fresh id, provider parquet,
 * createdTime now; conf (may be NULL) copied. */
int dlk_log_metadata_new(dlk_arena *a, const char *schema_string, const char *const *part,
                         size_t n_part, const dlk_kvs *conf, const char *name,
                         const char *description, dlk_metadata_action *out);
/* A metaData action derived from old: id, name, description, format and
 * createdTime kept; schema_string (NULL: old's) and partition columns
 * (part NULL: old's) replaced; the configuration is a private copy the
 * caller may change with dlk_log_kvs_set / dlk_log_kvs_unset. */
int dlk_log_metadata_derive(dlk_arena *a, const dlk_metadata_action *old, const char *schema_string,
                            const char *const *part, size_t n_part, dlk_metadata_action *out);

/* Append the action as one JSON line ending in '\n'. */
int dlk_log_action_to_json(const dlk_action *act, dlk_buf *out);

/* Location of a stored add/remove path: relative paths are URL-decoded;
 * "file:" URIs become absolute local paths (decoded); other absolute URIs
 * are kept (decoded). Result allocated in a, or `path` itself when there is
 * nothing to decode (the caller keeps path alive as long as the result). */
int dlk_log_path_decode(const char *path, dlk_arena *a, const char **out);

#endif
