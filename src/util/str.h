/*
 * util/str.h - string helpers: comparisons, trimming, splitting, checked
 * number parsing (no atoi: every parse reports where it stopped), URL
 * percent-decoding and -encoding as Delta paths need them.
 */
#ifndef DLK_UTIL_STR_H
#define DLK_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool dlk_str_starts_with(const char *s, const char *prefix);
bool dlk_str_ends_with(const char *s, const char *suffix);
bool dlk_str_ieq(const char *a, const char *b); /* ASCII case-insensitive equality */
/* Trim ASCII whitespace in place; returns s advanced past leading space. */
char *dlk_str_trim(char *s);
/* Split s at sep into a NULL-terminated array of newly allocated, trimmed
 * strings (*out, free with dlk_str_list_free). Empty input -> zero items. */
int dlk_str_split(const char *s, char sep, char ***out, size_t *count);
void dlk_str_list_free(char **list);
/* Whole-string parses; DLK_PARSE (message names the text) on junk/overflow. */
int dlk_parse_i64(const char *s, int64_t *out);
int dlk_parse_u64(const char *s, uint64_t *out);
int dlk_parse_double(const char *s, double *out);
int dlk_parse_bool(const char *s, bool *out); /* true/false, case-insensitive */
/* Percent-decode n bytes of s into a new string (*out). '+' is kept. */
int dlk_url_decode(const char *s, size_t n, char **out);
/* Percent-encode for Delta/Hive partition paths (escapes the characters
 * Hive escapes, and '%'). */
int dlk_url_encode_path(const char *s, size_t n, char **out);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t dlk_str_distance(const char *a, const char *b);

#endif
