# tests/cli/lib.sh - what every CLI test script shares; source it first:
#   . "$(dirname "$0")/lib.sh"
# It gives: CLI (the deltalake binary from $DLK_CLI), tmp (a scratch folder
# removed at exit), check CONDITION DESCRIPTION (evaluates the condition,
# prints "ok" or "FAIL" and counts failures) and finish (exit status 1 when
# any check failed).
set -u
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=$((fail+1)); else echo "ok   $2"; fi; }
finish() { [ "$fail" -eq 0 ] || exit 1; exit 0; }
CLI="$DLK_CLI"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
