/*
 * core/features.c - protocol versions and table features: what we can read.
 */
#include "core/snapshot.h"
#include "util/error.h"
#include <string.h>

/* Reader features whose semantics the scan implements (or that need nothing
 * from a reader). */
static const char *const supported_reader[] = {
    "columnMapping",        "deletionVectors", "timestampNtz",        "typeWidening",
    "typeWidening-preview", "v2Checkpoint",    "vacuumProtocolCheck",
};

bool dlk_core_protocol_has_feature(const dlk_protocol_action *p, const char *name, bool writer)
{
    const char **f = writer ? p->writer_features : p->reader_features;
    size_t n = writer ? p->n_writer_features : p->n_reader_features;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], name) == 0) return true;
    return false;
}

int dlk_core_protocol_check_read(const dlk_protocol_action *p)
{
    if (p->min_reader_version < 1)
        return dlk_err_set(DLK_CORRUPT, "protocol: minReaderVersion %d is not valid",
                           p->min_reader_version);
    if (p->min_reader_version > 3)
        return dlk_err_set(
            DLK_UNSUPPORTED,
            "protocol: reader version %d is not supported (this reader supports 1-3)",
            p->min_reader_version);
    if (p->min_reader_version == 3) {
        for (size_t i = 0; i < p->n_reader_features; i++) {
            bool ok = false;
            for (size_t j = 0; j < sizeof supported_reader / sizeof *supported_reader; j++)
                ok |= strcmp(p->reader_features[i], supported_reader[j]) == 0;
            if (!ok)
                return dlk_err_set(DLK_UNSUPPORTED,
                                   "protocol: reader feature '%s' is not supported",
                                   p->reader_features[i]);
        }
    }
    return DLK_OK;
}
