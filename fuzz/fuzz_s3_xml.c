/*
 * fuzz/fuzz_s3_xml.c - libFuzzer target: the S3 backend's ListObjectsV2 and
 * error-body parsing (storage/s3_xml.c) over arbitrary bytes. Any input must
 * give an error or a listing, never a crash, leak or hang.
 */
#include "storage/s3_int.h"
#include "util/alloc.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dlk_s3_page pg;
    if (dlk_s3__parse_list((const char *)data, size, &pg) == 0) dlk_s3__page_free(&pg);
    dlk_free(dlk_s3__xml_text((const char *)data, size, "Code"));
    return 0;
}
