/*
 * api/alter.c - the connector's schema management (connector.h): thin
 * wrappers of the ALTER operations of alter.h on the handle's location,
 * applying the connector's configuration (allow_nullable).
 */
#include "api/connector_int.h"
#include "deltalake/alter.h"
#include "util/error.h"

static void options(const dlk_table_handle *t, dlk_alter_options *o)
{
    dlk_alter_options d = DLK_ALTER_OPTIONS_INIT;
    *o = d;
    o->allow_nullable = t->c->cfg.allow_nullable;
}

int dlk_table_handle_update_schema(dlk_table_handle *t, const struct ArrowSchema *schema,
                                   int64_t *version)
{
    if (version) *version = -1;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "update_schema: no table");
    dlk_alter_options o;
    options(t, &o);
    return dlk_table_update_schema(t->location, schema, &o, version);
}

int dlk_table_handle_add_column(dlk_table_handle *t, const char *name, const char *type,
                                int64_t *version)
{
    if (version) *version = -1;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "add_column: name and type needed");
    dlk_alter_options o;
    options(t, &o);
    return dlk_table_add_column(t->location, name, type, &o, version);
}

int dlk_table_handle_enable_column_mapping(dlk_table_handle *t, int64_t *version)
{
    if (version) *version = -1;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "enable_column_mapping: no table");
    return dlk_table_enable_column_mapping(t->location, version);
}

int dlk_table_handle_rename_column(dlk_table_handle *t, const char *old_name, const char *new_name,
                                   int64_t *version)
{
    if (version) *version = -1;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "rename_column: table and names needed");
    return dlk_table_rename_column(t->location, old_name, new_name, version);
}

int dlk_table_handle_drop_column(dlk_table_handle *t, const char *name, int64_t *version)
{
    if (version) *version = -1;
    if (!t) return dlk_err_set(DLK_INVALID_ARGUMENT, "drop_column: table and name needed");
    return dlk_table_drop_column(t->location, name, version);
}
