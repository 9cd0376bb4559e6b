/*
 * util/path.h - joining and checking relative paths inside a table root.
 *
 * Delta stores file paths relative to the table root. Anything that turns
 * a stored or user-supplied relative path into a location goes through
 * dlk_path_join, which refuses absolute paths and any ".." component that
 * would leave the root (error DLK_INVALID_ARGUMENT naming the path).
 */
#ifndef DLK_UTIL_PATH_H
#define DLK_UTIL_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Check that rel is a safe relative path: not empty, not absolute, no ".."
 * component, no NUL. */
int dlk_path_check_relative(const char *rel);
/* *out = root + "/" + rel (rel checked as above; duplicate slashes and "."
 * components removed). Caller frees *out. */
int dlk_path_join(const char *root, const char *rel, char **out);
/* Final component of a path (borrowed pointer into p). */
const char *dlk_path_basename(const char *p);
bool dlk_path_is_uri(const char *p); /* "scheme://..." */

#endif
