/* read/pq_path.c - dlk_pq_open_path (include/deltalake/parquet.h): the
 * file's bytes come through the storage layer (a local storage handle on
 * its folder), then the Parquet reader opens them in memory. It lives
 * here, not in parquet/, because parquet and storage are independent
 * modules of the same rank (src/README.md). */
#include "deltalake/parquet.h"
#include "deltalake/sys/storage.h"
#include "parquet/reader.h"

int dlk_pq_open_path(const char *path, dlk_pq_file **out)
{
    *out = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = dlk_storage_read_local_file(path, 0, &data, &len);
    if (rc) return rc;
    return dlk_pq__open_owned(data, len, path, out); /* takes data over */
}
