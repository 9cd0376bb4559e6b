/*
 * fuzz/fuzz_parquet_read.c - libFuzzer target: open an in-memory Parquet
 * file, read every row group (all columns) and render every row as JSON,
 * plus the metadata printers and column statistics. Any input must give
 * an error or a result, never a crash, leak, hang or huge allocation.
 */
#include "arrow/arrow.h"
#include "deltalake/arrow_json.h"
#include "parquet/reader.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlk_pq_file *f;
    if (dlk_pq_open_memory(data, size, "fuzz.parquet", &f)) return 0;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    dlk_pq_meta_json(f, &buf, &len, &cap);
    len = 0;
    dlk_pq_schema_text(f, &buf, &len, &cap);
    struct ArrowSchema fs;
    if (dlk_pq_get_schema(f, &fs) == 0) dlk_arrow_schema_release(&fs);
    int nrg = dlk_pq_num_row_groups(f);
    for (int g = 0; g < nrg && g < 64; g++) {
        for (int l = 0; l < dlk_pq_num_leaves(f) && l < 64; l++) {
            dlk_pq_col_stats st;
            dlk_pq_column_stats(f, g, dlk_pq_leaf_path(f, l), &st);
        }
        struct ArrowSchema s;
        struct ArrowArray a;
        if (dlk_pq_read_row_group(f, g, NULL, 0, &s, &a)) continue;
        for (int64_t r = 0; r < a.length && r < 10000; r++) {
            len = 0;
            if (dlk_arrow_json_row(&s, &a, r, &buf, &len, &cap)) break;
        }
        dlk_arrow_array_release(&a);
        dlk_arrow_schema_release(&s);
    }
    dlk_string_free(buf);
    dlk_pq_close(&f);
    return 0;
}
