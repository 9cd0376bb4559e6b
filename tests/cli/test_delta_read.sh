#!/usr/bin/env bash
# deltalake query / describe on a Spark-written table: time travel by
# version and by timestamp (commit file mtimes), projection, limit, formats,
# errors outside the available range.
. "$(dirname "$0")/lib.sh"
. "$DLK_SOURCE_DIR/tests/testdata.sh"
TT=$(testdata delta/golden/time-travel-start-start20-start40.tar.zst) || exit 1
tar --zstd -xf "$TT" -C "$tmp"
T="$tmp/time-travel-start-start20-start40/delta"
touch -d 2024-01-01T00:00:00Z "$T/_delta_log/00000000000000000000.json"
touch -d 2024-01-02T00:00:00Z "$T/_delta_log/00000000000000000001.json"
touch -d 2024-01-03T00:00:00Z "$T/_delta_log/00000000000000000002.json"

n=$("$CLI" query "$T" --format jsonl | wc -l)
check "[ $n -eq 30 ]" "latest version has 30 rows ($n)"
n=$("$CLI" query "$T" --version 0 --format jsonl | wc -l)
check "[ $n -eq 10 ]" "--version 0 has 10 rows ($n)"
n=$("$CLI" query "$T" --version 1 --format jsonl | wc -l)
check "[ $n -eq 20 ]" "--version 1 has 20 rows ($n)"
n=$("$CLI" query "$T" --as-of 2024-01-02T12:00:00Z --format jsonl | wc -l)
check "[ $n -eq 20 ]" "--as-of between commits 1 and 2 reads version 1 ($n)"
n=$("$CLI" query "$T" --as-of 2024-01-03T00:00:00Z --format jsonl | wc -l)
check "[ $n -eq 30 ]" "--as-of the exact commit time reads that version ($n)"
"$CLI" query "$T" --as-of 2023-12-31T00:00:00Z >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'NOT_FOUND.*before the earliest' '$tmp/err'" "--as-of before the first commit fails"
"$CLI" query "$T" --version 7 >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'version 7 does not exist; the latest version is 2' '$tmp/err'" "--version after the latest fails"
"$CLI" query "$T" --version 1 --as-of 2024-01-01 >/dev/null 2>&1; rc=$?
check "[ $rc -eq 2 ]" "--version with --as-of is a usage error"
out=$("$CLI" query "$T" --version 0 --select id --limit 3 --format jsonl)
check "[ \"\$(wc -l <<<\"\$out\")\" -eq 3 ] && grep -qx '{\"id\":[0-9]*}' <<<\"\$out\"" "--select/--limit"
"$CLI" query "$T" --select nope >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"column 'nope'\" '$tmp/err'" "unknown column named"
out=$("$CLI" query "$T" --version 0 --format csv --limit 2)
check "[ \"\$(head -1 <<<\"\$out\")\" = id ] && [ \"\$(wc -l <<<\"\$out\")\" -eq 3 ]" "csv header and rows"
out=$("$CLI" query "$T" --version 0 --format json --limit 2)
check "[ \"\$(head -1 <<<\"\$out\")\" = '[' ] && [ \"\$(tail -1 <<<\"\$out\")\" = ']' ]" "json array"
out=$("$CLI" describe "$T" --format json)
check "grep -q '\"version\":2' <<<\"\$out\" && grep -q '\"num_files\":6' <<<\"\$out\" && grep -q '\"min_reader_version\":1' <<<\"\$out\"" "describe --format json"
out=$("$CLI" describe "$T" --version 0)
check "grep -q '^version: *0' <<<\"\$out\" && grep -q 'id *long' <<<\"\$out\"" "describe --version 0 (table format)"
"$CLI" describe "$tmp/nowhere" >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'NOT_FOUND.*not a Delta table' '$tmp/err'" "describe of a non-table fails"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
