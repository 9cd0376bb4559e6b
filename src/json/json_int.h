/*
 * json/json_int.h - what the files of the JSON reader share: the string and
 * number scanners (json_scan.c) used by the structure walker (json.c).
 */
#ifndef DLK_JSON_JSON_INT_H
#define DLK_JSON_JSON_INT_H

#include "json/json.h"

/* Record the first error at byte at (in the input) and return DLK_PARSE. */
int dlk_json__fail(dlk_json_reader *r, const char *at, const char *msg);

/* The string starting at r->p (a '"'): validated into *t, r->p after it. */
int dlk_json__string(dlk_json_reader *r, dlk_json_tok *t);

/* The number starting at r->p: validated into *t, r->p after it. */
int dlk_json__number(dlk_json_reader *r, dlk_json_tok *t);

#endif
