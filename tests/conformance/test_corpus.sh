#!/usr/bin/env bash
# tests/conformance/test_corpus.sh - the conformance corpora are complete
# (every file of tests/data/SHA256SUMS present with its content under
# DLK_TESTDATA, which is tests/data unless overridden), and a test whose data
# is missing fails loudly naming it: C tests (harness_testdata), shell tests
# (tests/testdata.sh) and the Python Parquet conformance script, each run
# here against an empty folder.
set -u
SRC=${DLK_SOURCE_DIR:?}
BUILD=${DLK_BUILD_DIR:?}
TD=${DLK_TESTDATA:?}
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL: $2"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. every file of the manifest, byte for byte
if [ ! -d "$TD" ]; then
  echo "FAIL: test data missing: $TD (tests/data of the repository)"
  exit 1
fi
(cd "$TD" && sha256sum --quiet --strict -c "$SRC/tests/data/SHA256SUMS") >"$tmp/sum" 2>&1
check '[ $? -eq 0 ]' "corpus at $TD matches tests/data/SHA256SUMS ($(wc -l <"$SRC/tests/data/SHA256SUMS") files)"
head -5 "$tmp/sum"
for d in delta/golden delta/kernel parquet/data parquet/bad_data parquet/variant parquet/shredded_variant; do
  n=$(grep -c " \./$d/" "$SRC/tests/data/SHA256SUMS")
  check '[ "$n" -gt 0 ]' "manifest lists $n files under $d"
done

# 2. with the data absent, tests fail naming what is missing
mkdir "$tmp/empty"
expect_missing() { # NAME CMD...: exit status non-zero and "test data missing" on stdout/stderr
  local name=$1; shift
  DLK_TESTDATA="$tmp/empty" "$@" >"$tmp/out" 2>&1; local rc=$?
  check '[ $rc -ne 0 ] && grep -q "test data missing: $tmp/empty/" "$tmp/out"' \
    "$name without data: exit $rc, $(grep -m1 -o 'test data missing: [^ ]*' "$tmp/out" || echo 'no message')"
}
expect_missing test_kernel "$BUILD/tests/conformance_delta_test_kernel"
expect_missing test_golden "$BUILD/tests/conformance_delta_test_golden"
expect_missing test_txn_log "$BUILD/tests/unit_core_test_txn_log"
expect_missing test_maint_dv "$BUILD/tests/unit_maint_test_maint_dv"
expect_missing test_check.sh bash "$SRC/tests/cli/test_check.sh"
expect_missing test_delta_read.sh bash "$SRC/tests/cli/test_delta_read.sh"
expect_missing compare_duckdb.py python3 "$SRC/tests/conformance/parquet/compare_duckdb.py"

[ "$fail" -eq 0 ] || { echo "$fail check(s) failed"; exit 1; }
echo "all corpus checks passed"
