/*
 * api/describe.c - a snapshot described as JSON (for `deltalake describe`)
 * and Delta type names.
 */
#include "core/schema.h"
#include "core/schema_ddl.h"
#include "core/snapshot.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/time.h"
#include <string.h>

int dlk_type_name(const struct ArrowSchema *field, char **out)
{
    dlk_buf b = {0};
    int rc = dlk_core_type_name(field, &b);
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b);
    return *out ? DLK_OK : dlk_err_nomem();
}

static int jstr(dlk_buf *b, const char *s)
{
    if (!s) return dlk_buf_puts(b, "null");
    return dlk_buf_json_str(b, s, strlen(s));
}

static int jstrs(dlk_buf *b, const char *const *v, size_t n, bool null_if_none)
{
    if (!v && null_if_none) return dlk_buf_puts(b, "null");
    int rc = dlk_buf_putc(b, '[');
    for (size_t i = 0; i < n && !rc; i++) {
        if (i) rc = dlk_buf_putc(b, ',');
        if (!rc) rc = jstr(b, v[i]);
    }
    if (!rc) rc = dlk_buf_putc(b, ']');
    return rc;
}

int dlk_snapshot_describe_json(const dlk_snapshot *s, char **out)
{
    *out = NULL;
    dlk_buf b = {0};
    char ts[40];
    dlk_format_timestamp(s->timestamp_ms * 1000, true, ts);
    int64_t total = 0;
    for (size_t i = 0; i < s->n_files; i++)
        total += s->files[i].size;
    const dlk_metadata_action *m = s->st.metadata;
    const dlk_protocol_action *p = s->st.protocol;
    int rc = dlk_buf_puts(&b, "{\"location\":");
    if (!rc) rc = jstr(&b, s->table ? s->table->location : "");
    if (!rc) rc = dlk_buf_printf(&b, ",\"version\":%lld,\"timestamp\":", (long long)s->version);
    if (!rc) rc = jstr(&b, ts);
    if (!rc) rc = dlk_buf_puts(&b, ",\"id\":");
    if (!rc) rc = jstr(&b, m->id);
    if (!rc) rc = dlk_buf_puts(&b, ",\"name\":");
    if (!rc) rc = jstr(&b, m->name);
    if (!rc) rc = dlk_buf_puts(&b, ",\"description\":");
    if (!rc) rc = jstr(&b, m->description);
    if (!rc) {
        if (m->has_created_time) {
            dlk_format_timestamp(m->created_time * 1000, true, ts);
            rc = dlk_buf_puts(&b, ",\"created_time\":");
            if (!rc) rc = jstr(&b, ts);
        } else
            rc = dlk_buf_puts(&b, ",\"created_time\":null");
    }
    if (!rc) rc = dlk_buf_puts(&b, ",\"schema\":");
    if (!rc) rc = dlk_core_schema_to_json(&s->schema, &b);
    if (!rc) rc = dlk_buf_puts(&b, ",\"partition_columns\":");
    if (!rc) rc = jstrs(&b, m->partition_columns, m->n_partition_columns, false);
    if (!rc) rc = dlk_buf_puts(&b, ",\"properties\":{");
    for (size_t i = 0; i < m->configuration.n && !rc; i++) {
        if (i) rc = dlk_buf_putc(&b, ',');
        if (!rc) rc = jstr(&b, m->configuration.items[i].key);
        if (!rc) rc = dlk_buf_putc(&b, ':');
        if (!rc) rc = jstr(&b, m->configuration.items[i].value);
    }
    if (!rc)
        rc = dlk_buf_printf(&b,
                            "},\"protocol\":{\"min_reader_version\":%d,\"min_writer_version\":%d,"
                            "\"reader_features\":",
                            p->min_reader_version, p->min_writer_version);
    if (!rc) rc = jstrs(&b, p->reader_features, p->n_reader_features, true);
    if (!rc) rc = dlk_buf_puts(&b, ",\"writer_features\":");
    if (!rc) rc = jstrs(&b, p->writer_features, p->n_writer_features, true);
    if (!rc) rc = dlk_buf_puts(&b, "},\"column_mapping\":");
    if (!rc) rc = jstr(&b, dlk_snapshot_column_mapping_mode(s));
    if (!rc)
        rc = dlk_buf_printf(&b, ",\"num_files\":%zu,\"size_bytes\":%lld}", s->n_files,
                            (long long)total);
    if (rc) {
        dlk_buf_free(&b);
        return rc;
    }
    *out = dlk_buf_detach(&b);
    return *out ? DLK_OK : dlk_err_nomem();
}
