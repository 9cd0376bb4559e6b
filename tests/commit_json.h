/*
 * tests/commit_json.h - test helper: a commit file of a local table read as
 * a jansson array of action objects, to assert what a commit holds.
 */
#ifndef DLK_TESTS_COMMIT_JSON_H
#define DLK_TESTS_COMMIT_JSON_H

#include "deltalake/errors.h"
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* *out: the actions of _delta_log/<version>.json under root (decref);
 * DLK_NOT_FOUND when missing, DLK_CORRUPT when a line does not parse. */
static inline int test_read_commit(const char *root, int64_t version, json_t **out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/_delta_log/%020" PRId64 ".json", root, version);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return DLK_NOT_FOUND;
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = DLK_OK;
    while ((n = getline(&line, &cap, f)) > 0) {
        size_t k = strspn(line, " \t\r\n");
        if ((ssize_t)k == n) continue;
        json_error_t je;
        json_t *a = json_loadb(line, (size_t)n, 0, &je);
        if (!a || !json_is_object(a)) {
            json_decref(a);
            rc = DLK_CORRUPT;
            break;
        }
        json_array_append_new(arr, a);
    }
    free(line);
    fclose(f);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return DLK_OK;
}

#endif
