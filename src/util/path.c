/* util/path.c - safe path joining (see util/path.h). */
#include "util/path.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int dlk_path_check_relative(const char *rel)
{
    if (!rel || !*rel) return dlk_err_set(DLK_INVALID_ARGUMENT, "empty path");
    if (rel[0] == '/' || rel[0] == '\\')
        return dlk_err_set(DLK_INVALID_ARGUMENT, "path '%s' is absolute where a relative path is required", rel);
    const char *p = rel;
    while (*p) {
        const char *e = p;
        while (*e && *e != '/' && *e != '\\') e++;
        if (e - p == 2 && p[0] == '.' && p[1] == '.')
            return dlk_err_set(DLK_INVALID_ARGUMENT, "path '%s' escapes the table root ('..' is not allowed)", rel);
        p = *e ? e + 1 : e;
    }
    return DLK_OK;
}

int dlk_path_join(const char *root, const char *rel, char **out)
{
    int rc = dlk_path_check_relative(rel);
    if (rc) return rc;
    dlk_buf b = {0};
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/') rl--;
    if (dlk_buf_append(&b, root, rl)) goto oom;
    const char *p = rel;
    while (*p) {
        const char *e = p;
        while (*e && *e != '/') e++;
        size_t len = (size_t)(e - p);
        if (len && !(len == 1 && p[0] == '.')) {
            if ((b.len == 0 || b.data[b.len - 1] != '/') && dlk_buf_putc(&b, '/')) goto oom;
            if (dlk_buf_append(&b, p, len)) goto oom;
        }
        p = *e ? e + 1 : e;
    }
    *out = dlk_buf_detach(&b);
    if (!*out) goto oom;
    return DLK_OK;
oom:
    dlk_buf_free(&b);
    return dlk_err_nomem();
}

const char *dlk_path_basename(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

bool dlk_path_is_uri(const char *p)
{
    const char *s = p;
    if (!isalpha((unsigned char)*s)) return false;
    while (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.') s++;
    return s[0] == ':' && s[1] == '/' && s[2] == '/';
}
