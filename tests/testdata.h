/*
 * tests/testdata.h - where the conformance corpora are (tests/data of the
 * repository unless overridden), for C tests. Absent data fails the test
 * program loudly; it never turns into a skip or a pass.
 */
#ifndef DLK_TESTS_TESTDATA_H
#define DLK_TESTS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Path of REL inside the conformance corpora: $DLK_TESTDATA (CTest sets it)
 * or the configure-time DLK_TESTDATA (default tests/data of the repository,
 * -DDLK_TESTDATA=... or DELTALAKE_TESTDATA=... at configure time override
 * it). Writes the path into out[n] and returns out. Missing data is a loud
 * failure of the whole test program (exit 1, naming the path): never a pass. */
static inline const char *harness_testdata(char *out, size_t n, const char *rel)
{
    const char *td = getenv("DLK_TESTDATA");
#ifdef DLK_TESTDATA
    if (!td || !*td) td = DLK_TESTDATA;
#endif
    if (!td || !*td) {
        fprintf(stderr, "FAIL: test data: DLK_TESTDATA is not set (run the test through ctest)\n");
        exit(1);
    }
    snprintf(out, n, "%s/%s", td, rel);
    if (access(out, R_OK) != 0) {
        fprintf(stderr,
                "FAIL: test data missing: %s (the corpora live in tests/data of the repository; "
                "DELTALAKE_TESTDATA or -DDLK_TESTDATA at configure time point elsewhere)\n",
                out);
        exit(1);
    }
    return out;
}

#endif
