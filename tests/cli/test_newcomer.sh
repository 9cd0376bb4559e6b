#!/usr/bin/env bash
# The CLI as a newcomer and a script meet it (issue 15): CSV output read
# back by Python's csv module (and DuckDB's read_csv when the peer is
# installed), aligned tables with a row count, human-readable sizes only in
# table format, the progress line on a terminal (under script(1)) and never
# in a pipe or with --quiet, numeric timestamps in each unit and refused
# without one, empty input, create --if-not-exists mismatches, input format
# from the extension, cleanup after a failed write, messages that name the
# real flags, restore --as-of and --select suggestions.
set -u
fail=0
check() {
  if eval "$1"; then echo "ok   $2"; else
    echo "FAIL: $2"; fail=$((fail+1))
    for f in "$T/err" "$T/duck.err" "$T/tty.out" "$T/log"; do [ -s "$f" ] && { echo "  $f:"; tail -5 "$f" | sed 's/^/    /'; }; done
  fi
}
CLI="$DLK_CLI"
PEERS="${DLK_PEERS:-$DLK_SOURCE_DIR/tests/peers}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dlk_newcomer.XXXXXX")
trap 'rm -rf "$T"' EXIT

# ---- CSV a script can trust -------------------------------------------------
"$CLI" create "$T/a" --schema 'id long, s string, ts timestamp, d date, dec decimal(10,2), x double, m map<string,string>' >/dev/null
cat >"$T/a.ndjson" <<'EOF'
{"id":1,"s":"plain","ts":"2024-01-01T00:01:09.881230Z","d":"2024-01-02","dec":"12.30","x":1.5,"m":{"k":"v"}}
{"id":2,"s":"with, comma and \"quotes\"","ts":"2024-02-29T23:59:59Z","d":"2024-02-29","dec":"-0.05","x":-2.25}
{"id":3,"s":"null","ts":null}
{"id":4,"s":" lead space","d":"1999-12-31"}
EOF
"$CLI" write "$T/a" --input "$T/a.ndjson" >/dev/null
"$CLI" query "$T/a" --order-by id --format csv >"$T/a.csv"
"$CLI" query "$T/a" --order-by id --format jsonl >"$T/a.jsonl"
python3 - "$T/a.csv" "$T/a.jsonl" >"$T/csvcheck" 2>&1 <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
ref = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(ref) == 4, (len(rows), len(ref))
for r, j in zip(rows, ref):
    for k, v in j.items():
        want = '' if v is None else (json.dumps(v, separators=(',', ':')) if isinstance(v, dict) else str(v))
        if isinstance(v, float): want = repr(v)
        assert r[k] == want, (k, r[k], want)
print("csv ok")
EOF
check "grep -q 'csv ok' '$T/csvcheck'" "csv output reads back with a real CSV reader: timestamps, dates, decimals plain; quotes and commas escaped; nulls empty ($(tail -1 "$T/csvcheck"))"
check "! grep -q '\"\"\"2024' '$T/a.csv' && grep -q ',2024-01-01T00:01:09.881230Z,' '$T/a.csv'" "csv has no embedded quotes around timestamps"
if [ -d "$PEERS/node_modules/@duckdb/node-api" ]; then
  node "$PEERS/duckdb_query.mjs" "SELECT id, CAST(ts AS VARCHAR) AS ts, CAST(d AS VARCHAR) AS d, CAST(dec AS VARCHAR) AS dec FROM read_csv('$T/a.csv', header=true, types={'ts':'TIMESTAMPTZ','d':'DATE','dec':'DECIMAL(10,2)'}) ORDER BY id" >"$T/duck.jsonl" 2>"$T/duck.err"
  check "grep -q '\"id\":1' '$T/duck.jsonl' && grep -q '2024-02-29' '$T/duck.jsonl' && grep -q '12.30' '$T/duck.jsonl'" "DuckDB read_csv types our CSV's timestamps, dates and decimals"
else
  echo "SKIP: DuckDB peer missing (run scripts/install-peers.sh): read_csv check not run"
fi

# ---- tables for people --------------------------------------------------------
"$CLI" query "$T/a" --order-by id --select id,s,d >"$T/table.txt"
check "tail -1 '$T/table.txt' | grep -qx '(4 rows)'" "table format ends with a row count"
check "[ \$(head -n -1 '$T/table.txt' | grep -v '^-' | awk -F'|' '{print length(\$1) \" \" length(\$2)}' | sort -u | wc -l) -eq 1 ] && [ \$(head -n -1 '$T/table.txt' | grep -v '^-' | wc -l) -eq 5 ]" "table columns are aligned"
check "grep -q '^ *1 | plain' '$T/table.txt' && grep -q 'NULL' '$T/table.txt'" "numbers right-aligned, NULL for nulls"
check "\"$CLI\" describe '$T/a' | grep -Eq 'files: +1 \\([0-9.]+ (B|KiB)\\)'" "describe shows a human-readable size"
check "\"$CLI\" stats '$T/a' | grep -Eq '^total_bytes +[0-9.]+ (B|KiB)$'" "stats (table) shows human-readable bytes"
check "\"$CLI\" stats '$T/a' --format jsonl | grep -Eq '\"total_bytes\":[0-9]+[,}]'" "stats (jsonl) keeps exact byte counts"

# ---- progress on a terminal only ----------------------------------------------
python3 -c "
for i in range(200000): print('{\"id\":%d,\"s\":\"row %d\"}' % (i, i))" >"$T/big.ndjson"
"$CLI" create "$T/p" --schema 'id long, s string' >/dev/null
script -qec "'$CLI' write '$T/p' --input '$T/big.ndjson' --batch-rows 1000" /dev/null >"$T/tty.out" 2>&1
check "grep -q 'rows/s' '$T/tty.out'" "progress line on a terminal (script)"
"$CLI" write "$T/p" --input "$T/big.ndjson" --batch-rows 1000 >/dev/null 2>"$T/pipe.err"
check "! grep -q 'rows/s' '$T/pipe.err'" "no progress line in a pipe"
script -qec "'$CLI' write '$T/p' --input '$T/big.ndjson' --batch-rows 1000 --quiet" /dev/null >"$T/quiet.out" 2>&1
check "! grep -q 'rows/s' '$T/quiet.out' && grep -q '\"rows_written\":200000' '$T/quiet.out'" "--quiet turns the progress line off"

# ---- numeric timestamps ---------------------------------------------------------
"$CLI" create "$T/ts" --schema 'id long, ts timestamp' >/dev/null
echo '{"id":0,"ts":1700000000123456789}' | "$CLI" write "$T/ts" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'SCHEMA_MISMATCH' '$T/err' && grep -q \"column 'ts'\" '$T/err' && grep -q '1700000000123456789' '$T/err' && grep -q -- '--timestamp-unit' '$T/err'" "a number in a timestamp column without a unit is refused naming column, value and option"
echo '{"id":1,"ts":1700000000}' | "$CLI" write "$T/ts" --timestamp-unit s >/dev/null
echo '{"id":2,"ts":1700000000123}' | "$CLI" write "$T/ts" --timestamp-unit ms >/dev/null
echo '{"id":3,"ts":1700000000123456}' | "$CLI" write "$T/ts" --timestamp-unit us >/dev/null
echo '{"id":4,"ts":1700000000123456789}' | "$CLI" write "$T/ts" --timestamp-unit ns >/dev/null
printf 'id,ts\n5,1700000000123\n' >"$T/ts.csv"
"$CLI" write "$T/ts" --input "$T/ts.csv" --timestamp-unit ms >/dev/null
"$CLI" query "$T/ts" --order-by id --format csv >"$T/ts.out"
check "grep -qx '1,2023-11-14T22:13:20.000000Z' '$T/ts.out' && grep -qx '2,2023-11-14T22:13:20.123000Z' '$T/ts.out' && grep -qx '3,2023-11-14T22:13:20.123456Z' '$T/ts.out' && grep -qx '4,2023-11-14T22:13:20.123456Z' '$T/ts.out' && grep -qx '5,2023-11-14T22:13:20.123000Z' '$T/ts.out'" "numeric timestamps in s, ms, us, ns (and CSV) land at the right instant"
echo '{"id":9,"ts":99999999999999}' | "$CLI" write "$T/ts" --timestamp-unit s >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'outside the timestamp range' '$T/err'" "an epoch number beyond year 9999 is refused"

# ---- fewer traps ---------------------------------------------------------------
v0=$(ls "$T/a/_delta_log" | grep -c '\.json$')
: | "$CLI" write "$T/a" >"$T/out" 2>"$T/err"
: | "$CLI" write "$T/a" --mode overwrite >/dev/null 2>&1
check "[ \$(ls '$T/a/_delta_log' | grep -c '\\.json\$') -eq $v0 ] && grep -q 'nothing committed' '$T/err' && [ \$(\"$CLI\" query '$T/a' --count --format csv | tail -1) -eq 4 ]" "an empty input (append or overwrite) makes no commit"
"$CLI" create "$T/c" --schema 'id long, p string' --partition-by p >/dev/null
"$CLI" create "$T/c" --schema 'id long, p string' --partition-by p --if-not-exists >/dev/null 2>&1
check "[ $? -eq 0 ]" "create --if-not-exists with the same schema and partitioning succeeds"
"$CLI" create "$T/c" --schema 'id long, p string' --partition-by id --if-not-exists >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'partitioned by (p) there, not (id)' '$T/err'" "create --if-not-exists names a partitioning difference"
"$CLI" create "$T/c" --schema 'id int, p string' --partition-by p --if-not-exists >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"column 'id' is long there, not integer\" '$T/err'" "create --if-not-exists names a type difference"
printf 'id,p\n1,a\n2,b\n' >"$T/in.csv"
"$CLI" write "$T/c" --input "$T/in.csv" >/dev/null 2>"$T/err"
check "[ \$(\"$CLI\" query '$T/c' --count --format csv | tail -1) -eq 2 ]" "an input ending in .csv is read as CSV without --input-format"
n_before=$(find "$T/c" -name '*.parquet' | wc -l)
python3 -c "
for i in range(3000): print('{\"id\":%d,\"p\":\"q%d\"}' % (i, i % 5))
print('{\"id\":\"bad\",\"p\":\"q9\"}')" >"$T/bad.ndjson"
"$CLI" write "$T/c" --input "$T/bad.ndjson" --batch-rows 100 --target-file-size 1000 >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'line 3001' '$T/err'" "a bad record fails the write naming its line"
check "[ \$(find '$T/c' -name '*.parquet' | wc -l) -eq $n_before ] && [ -z \"\$(find '$T/c' -mindepth 1 -type d -empty)\" ] && ! ls '$T/c' | grep -q '^p=q'" "the failed write left no data files and no empty partition folders"
"$CLI" delete "$T/c" --where 'id = 1' --soft >/dev/null 2>"$T/err"
check "grep -q -- '--enable-dv' '$T/err'" "delete --soft on a table without deletion vectors names --enable-dv"
"$CLI" query "$T/c" --select idd >/dev/null 2>"$T/err"
check "grep -q \"did you mean 'id'\" '$T/err'" "--select typo gets 'did you mean'"
printf '{"id":1,"p":"a"}\n{"id":1,"p":"a"}\n' | "$CLI" upsert "$T/c" --key id >/dev/null 2>"$T/err"
check "grep -q -- '--dedup' '$T/err'" "duplicate upsert keys name --dedup"
echo '{"id":1,"zz":1}' | "$CLI" write "$T/c" >/dev/null 2>"$T/err"
check "grep -q -- '--merge-schema' '$T/err'" "unknown fields name --merge-schema"
"$CLI" vacuum "$T/c" --retention-hours 0 >/dev/null 2>"$T/err"
check "grep -q -- '--force' '$T/err'" "a short vacuum retention names --force"
"$CLI" create "$T/mt" --schema 'id long, m map<string,long>' >/dev/null
"$CLI" query "$T/mt" --where 'm = 1' >/dev/null 2>"$T/err"
check "grep -q 'is a map' '$T/err' && ! grep -q '+m' '$T/err'" "type errors use Delta type words, not Arrow format codes"
# time travel by timestamp resolves against the commit file's time (the
# commitInfo timestamp is taken a moment before the file is written)
ts0=$(python3 -c 'import os,sys,datetime; t=os.path.getmtime(sys.argv[1]); print(datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]+"Z")' "$T/c/_delta_log/00000000000000000000.json")
"$CLI" restore "$T/c" --as-of "$ts0" >"$T/out" 2>"$T/err"
check "grep -q '\"restored_version\":0' '$T/out'" "restore accepts --as-of (like query)"

# ---- Ctrl-C during a write ------------------------------------------------------
"$CLI" create "$T/int" --schema 'id long' >/dev/null
( echo '{"id":1}'; sleep 4 ) | "$CLI" write "$T/int" >/dev/null 2>"$T/err" &
sleep 1
pkill -INT -f -- "write $T/int\$" || pkill -INT -f -- "write $T/int"
wait
check "grep -q 'CANCELLED' '$T/err' && [ \$(ls '$T/int/_delta_log' | grep -c '\.json\$') -eq 1 ] && [ -z \"\$(find '$T/int' -name '*.parquet')\" ]" "SIGINT during a write: CANCELLED, nothing committed, no files left"

# ---- DELTALAKE_LOG -------------------------------------------------------------
echo '{"id":10,"ts":"2024-01-01T00:00:00Z"}' | DELTALAKE_LOG=debug "$CLI" write "$T/ts" >/dev/null 2>"$T/log"
check "grep -q 'DEBUG \[write\] wrote ' '$T/log' && grep -q 'DEBUG \[commit\] .*committed version' '$T/log'" "DELTALAKE_LOG=debug: files written and commit attempts"
DELTALAKE_LOG=trace "$CLI" query "$T/ts" --where 'id > 3' >/dev/null 2>"$T/log"
check "grep -q 'DEBUG \[log\] replayed version' '$T/log' && grep -q 'DEBUG \[scan\] files' '$T/log' && grep -q 'TRACE \[storage\] GET _delta_log/' '$T/log'" "DELTALAKE_LOG=debug/trace: log replay, scan skipping, storage requests"
DELTALAKE_LOG=warn "$CLI" query "$T/ts" >/dev/null 2>"$T/log"
check "[ ! -s '$T/log' ]" "no diagnostics at the default level"

if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
