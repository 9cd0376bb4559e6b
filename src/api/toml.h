/*
 * api/toml.h - a small, strict parser for the TOML subset deltalake.toml
 * uses (TOML v1.0.0 semantics for that subset):
 *
 *   # comments            [table] and [dotted.table] headers
 *   bare_key = value      "quoted key" = value      dotted.key = value
 *   values: basic strings "..." (escapes \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX),
 *           literal strings '...', integers (decimal with _ separators,
 *           0x/0o/0b prefixes), floats (incl. exponents, inf, nan),
 *           booleans, arrays of those (multi-line, trailing comma allowed)
 *
 * Not supported (an error naming the line): multi-line strings, inline
 * tables, arrays of tables, dates/times. Redefining a key or a table is an
 * error, as the TOML spec says.
 *
 * The document is flattened: every value is listed with its full dotted
 * key ("deltalake.storage.file_size_target") and the line it is on.
 */
#ifndef DLK_API_TOML_H
#define DLK_API_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { DLK_TOML_STRING, DLK_TOML_INT, DLK_TOML_FLOAT, DLK_TOML_BOOL, DLK_TOML_ARRAY } dlk_toml_type;

typedef struct dlk_toml_value {
    dlk_toml_type type;
    char *str; /* STRING */
    int64_t i; /* INT */
    double f;  /* FLOAT */
    bool b;    /* BOOL */
    struct dlk_toml_value *items; /* ARRAY */
    size_t n_items;
} dlk_toml_value;

typedef struct dlk_toml_entry {
    char *key; /* full dotted key, parts joined with '.' (quoted parts as written, unquoted) */
    int line;
    dlk_toml_value value;
} dlk_toml_entry;

typedef struct dlk_toml_doc {
    dlk_toml_entry *entries;
    size_t n_entries;
} dlk_toml_doc;

/* Parse n bytes of text. name is used in error messages ("deltalake.toml:3: ...").
 * On error *out is left empty and DLK_PARSE is returned. */
int dlk_toml_parse(const char *text, size_t n, const char *name, dlk_toml_doc *out);
const dlk_toml_entry *dlk_toml_find(const dlk_toml_doc *doc, const char *key);
void dlk_toml_free(dlk_toml_doc *doc);
const char *dlk_toml_type_name(dlk_toml_type t);

#endif
