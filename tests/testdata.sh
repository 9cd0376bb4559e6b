# tests/testdata.sh - sourced by shell tests that read the conformance
# corpora. testdata REL prints "$DLK_TESTDATA/REL" (tests/data of the
# repository unless overridden at configure time) and exits the test with
# status 1 and a message naming the path when it is absent: missing data is a
# failure, never a skip or a pass.
testdata() {
  local td=${DLK_TESTDATA:-}
  if [ -z "$td" ]; then
    echo "FAIL: test data: DLK_TESTDATA is not set (run the test through ctest)" >&2
    exit 1
  fi
  if [ ! -e "$td/$1" ]; then
    echo "FAIL: test data missing: $td/$1 (the corpora live in tests/data of the repository;" \
      "DELTALAKE_TESTDATA or -DDLK_TESTDATA at configure time point elsewhere)" >&2
    exit 1
  fi
  printf '%s\n' "$td/$1"
}
