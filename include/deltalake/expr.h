/*
 * deltalake/expr.h - the predicate / expression language: parse and bind
 * against an Arrow schema, evaluate over Arrow batches, filter batches, and
 * decide from statistics whether a file (or row group) can hold a match.
 *
 * Grammar (keywords are case-insensitive; whitespace is free):
 *
 *   expr       := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | predicate
 *   predicate  := sum [ cmp sum
 *                     | IS [NOT] NULL
 *                     | [NOT] IN '(' expr ( ',' expr )* ')'
 *                     | [NOT] BETWEEN sum AND sum
 *                     | [NOT] LIKE sum [ ESCAPE 'c' ] ]
 *   cmp        := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
 *   sum        := product ( ('+' | '-') product )*
 *   product    := unary ( ('*' | '/' | '%') unary )*
 *   unary      := '-' unary | '+' unary | primary
 *   primary    := literal | column | '(' expr ')'
 *   literal    := 'text' ('' is a quote) | 123 | 1.25 | 1e-3 | TRUE | FALSE
 *               | NULL | DATE 'YYYY-MM-DD' | TIMESTAMP '2024-01-01T00:00:00Z'
 *   column     := name ( '.' name )*      (dotted: struct fields)
 *   name       := [A-Za-z_][A-Za-z0-9_]* | `any text` (`` is a backtick)
 *
 * LIKE patterns use % (any run) and _ (one character); ESCAPE 'c' (one
 * character, as in SQL and DuckDB) makes the character after c match only
 * itself (`name LIKE '50!%' ESCAPE '!'`); a pattern ending in c is an
 * error, ESCAPE NULL makes the result NULL. Without ESCAPE there is no
 * escape character. Integer literals are 64-bit; a literal with a '.' and no
 * exponent is a decimal, one with an exponent a double.
 *
 * Types come from the Arrow formats of the schema: b, c s i l (and the
 * unsigned C S I L), f g, u, z, tdD (date), ts[smun]:UTC (timestamp),
 * ts[smun]: (timestamp_ntz), d:p,s (decimal), +s (struct: reach fields with
 * dots). Lists and maps cannot be used in expressions.
 * Implicit conversions: integers widen to long, integers and decimals to
 * double when mixed with a float, integers to decimal when mixed with a
 * decimal, dates to timestamps, and a string literal becomes a date,
 * timestamp or number when compared with such a value. '/' always divides
 * as double (IEEE: 1/0 is Infinity, 0/0 NaN, as in DuckDB); + - * on integers fail with
 * DLK_INVALID_ARGUMENT on overflow. '%' is the remainder of truncated
 * division (sign of the dividend, as in C and DuckDB) on integers and
 * decimals (x % 0 is NULL) and fmod on doubles (x % 0 is NaN). Comparisons of floats order NaN above
 * every number and NaN = NaN, like DuckDB.
 * SQL three-valued logic: NULL AND FALSE is FALSE, NULL OR TRUE is TRUE,
 * any comparison with NULL is NULL; x IN (...) is NULL when x is NULL or
 * when nothing matches and the list holds a NULL. A filter keeps the rows
 * whose predicate is TRUE.
 *
 * Errors: DLK_PARSE for syntax errors, DLK_NOT_FOUND for unknown columns,
 * DLK_SCHEMA_MISMATCH for type errors; every message ends with the position
 * "at LINE:COL" (1-based), e.g.
 *   column 'statuscode' not found at 1:1; did you mean 'status_code'?
 *   cannot compare string with long at 1:8
 *
 * Since: 0.1
 */
#ifndef DELTALAKE_EXPR_H
#define DELTALAKE_EXPR_H

#include "deltalake/arrow_abi.h"
#include "deltalake/errors.h"
#include "deltalake/types.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed and bound expression (opaque). */

/**
 * Parse text as a predicate (its type must be boolean) and bind it to
 * schema (a "+s" Arrow schema, borrowed during the call only; the
 * expression keeps a copy of what it needs). *out receives a new
 * expression to free with dlk_expr_free.
 */
DLK_EXTERN int dlk_expr_parse_predicate(const char *text, const struct ArrowSchema *schema,
                                        dlk_expr **out);

/** Same grammar, any result type (UPDATE ... SET col = expr). */
DLK_EXTERN int dlk_expr_parse_expression(const char *text, const struct ArrowSchema *schema,
                                         dlk_expr **out);

/** NULL-safe; sets *e to NULL. */
DLK_EXTERN void dlk_expr_free(dlk_expr **e);

/**
 * Arrow format of the result: "b" for predicates, otherwise one of
 * "b" "l" "g" "u" "z" "tdD" "tsu:UTC" "tsu:" "d:38,S" or "n" (NULL literal).
 * Borrowed from e.
 */
DLK_EXTERN const char *dlk_expr_result_format(const dlk_expr *e);

/** Canonical text of the bound expression (for --explain); borrowed from e. */
DLK_EXTERN const char *dlk_expr_to_string(const dlk_expr *e);

/**
 * Columns the expression reads, as top-level column names (for projection):
 * *names is an array of *count borrowed strings (owned by e).
 */
DLK_EXTERN void dlk_expr_columns(const dlk_expr *e, const char *const **names, size_t *count);

/**
 * Evaluate e over batch (a "+s" array matching the schema given at parse
 * time). *out receives a new array of batch->length rows (format
 * dlk_expr_result_format; the caller releases it).
 */
DLK_EXTERN int dlk_expr_evaluate(const dlk_expr *e, const struct ArrowArray *batch,
                                 struct ArrowArray *out);

/**
 * Evaluate e and convert the result to the Arrow format `format` (any leaf
 * format listed above, also c s i f), failing with DLK_SCHEMA_MISMATCH when
 * a value does not fit (UPDATE SET).
 */
DLK_EXTERN int dlk_expr_evaluate_as(const dlk_expr *e, const struct ArrowArray *batch,
                                    const char *format, struct ArrowArray *out);

/**
 * Rows of a boolean array ("b") that are TRUE (valid and set): *sel gets a
 * new array (dlk_free / dlk_expr_selection_free) of *n ascending indices.
 */
DLK_EXTERN int dlk_expr_selection(const struct ArrowArray *mask, int64_t **sel, int64_t *n);
DLK_EXTERN void dlk_expr_selection_free(int64_t *sel);

/**
 * Take rows sel[0..n) of batch (described by schema, any Arrow type incl.
 * "+s", "+l", "+m", strings, dictionaries) into a new array *out with
 * offset 0 owning all its buffers. Indices are logical (0..length-1).
 */
DLK_EXTERN int dlk_expr_take(const struct ArrowSchema *schema, const struct ArrowArray *batch,
                             const int64_t *sel, int64_t n, struct ArrowArray *out);

/**
 * Evaluate predicate e over batch and produce the filtered batch (rows
 * where it is TRUE) in *out. *n_out (optional) receives its row count.
 */
DLK_EXTERN int dlk_expr_filter(const dlk_expr *e, const struct ArrowSchema *schema,
                               const struct ArrowArray *batch, struct ArrowArray *out,
                               int64_t *n_out);

/* ---------------------------------------------------------------------
 * Data skipping
 * ------------------------------------------------------------------ */

/** Kind of a scalar value. */
typedef enum dlk_value_kind {
    DLK_VALUE_NULL = 0,
    DLK_VALUE_BOOL,
    DLK_VALUE_INT,     /**< i: integers; dates as days; timestamps as microseconds */
    DLK_VALUE_DOUBLE,  /**< d */
    DLK_VALUE_STRING,  /**< str/len: strings and binary (also text to be parsed) */
    DLK_VALUE_DECIMAL, /**< dec_hi/dec_lo: unscaled 128-bit value, scale */
} dlk_value_kind;

/** A scalar. Strings are borrowed (valid during the callback's use). */
typedef struct dlk_value {
    dlk_value_kind kind;
    bool b;
    int64_t i;
    double d;
    const char *str;
    size_t len;
    int64_t dec_hi;
    uint64_t dec_lo;
    int32_t scale;
} dlk_value;

/**
 * Statistics of one column in one file or row group, filled by a provider.
 * The pruner initialises it (has_* false, counts -1) before each call.
 * min/max may be given as any kind convertible to the column type: the
 * exact type, INT or DOUBLE for numbers, or STRING text in Delta's
 * partition-value / JSON-stats notation (e.g. "2024-01-01",
 * "2024-01-01T10:00:00.000Z", "12.50"). Timestamp maxima may be truncated
 * to milliseconds (Delta does): the pruner allows for that.
 */
typedef struct dlk_expr_col_stats {
    bool is_partition;        /**< partition column: value is exact for every row */
    dlk_value partition;      /**< its value (kind NULL: null partition) */
    bool has_min, has_max;
    dlk_value min, max;
    int64_t null_count;       /**< -1 unknown */
    int64_t num_records;      /**< -1: use the provider's num_records */
    int64_t nan_count;        /**< floats: NaN values (not in min/max); -1 unknown. While
                                   unknown, NaN is assumed possible above max (>, >=, !=
                                   never skip on floats). Parquet's nan_count fits here. */
} dlk_expr_col_stats;

/**
 * Statistics provider: the pruner calls column() for each column path the
 * predicate reads (path[0..depth) from the root schema; format its Arrow
 * format). Return DLK_OK after filling what is known; any other return
 * means "nothing known" (never an error of the pruning).
 */
typedef struct dlk_expr_stats_provider {
    void *ctx;
    int64_t num_records; /**< rows in the file / row group, -1 unknown */
    int (*column)(void *ctx, const char *const *path, size_t depth, const char *format,
                  dlk_expr_col_stats *out);
} dlk_expr_stats_provider;

/**
 * Could any row described by the statistics satisfy predicate e?
 * *might = false only when no row can; conservative on anything it does
 * not understand (columns without stats, arithmetic, column-to-column
 * comparisons, NOT LIKE...). Handles = != < <= > >= IN BETWEEN IS [NOT]
 * NULL AND OR NOT (negation pushed down) and LIKE 'prefix%'.
 */
DLK_EXTERN int dlk_expr_might_match(const dlk_expr *e, const dlk_expr_stats_provider *p,
                                    bool *might);

/**
 * Parse text in Delta partition-value notation for a column of Arrow
 * format `format` into *out (strings borrow text). DLK_PARSE on junk.
 */
DLK_EXTERN int dlk_value_parse(const char *format, const char *text, size_t len, dlk_value *out);

#ifdef __cplusplus
}
#endif
#endif
