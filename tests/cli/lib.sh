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

# use_duckdb_peer: PEERS (the npm peers folder), LOGPY (an independent log
# replay, delta_active_files.py), have_duck (1 when the DuckDB peer is
# installed; else a loud SKIP line), duck SQL (run a query in DuckDB) and
# filelist TABLE (a DuckDB list literal of the table's active files).
use_duckdb_peer() {
  HERE="$(cd "$(dirname "$0")" && pwd)"
  PEERS="${DLK_PEERS:-$HERE/../peers}"
  LOGPY="$HERE/delta_active_files.py"
  have_duck=0
  if [ -d "$PEERS/node_modules/@duckdb/node-api" ]; then have_duck=1; else
    echo "SKIP: DuckDB peer not installed (run scripts/install-peers.sh); DuckDB checks are SKIPPED"; fi
}
duck() { node "$PEERS/duckdb_query.mjs" "$1"; }
filelist() { python3 "$LOGPY" "$1" | awk 'BEGIN{printf "["} {printf "%s'\''%s'\''", (NR>1?",":""), $0} END{printf "]"}'; }
