#!/usr/bin/env bash
# Maintenance through the CLI: history, stats, optimize (bin-pack and
# Z-order), vacuum, restore. Rows are checked against the generated input;
# when the DuckDB peer is installed, DuckDB reads the optimized files (found
# by an independent log replay, delta_active_files.py) with the same values.
. "$(dirname "$0")/lib.sh"
T="$tmp"
use_duckdb_peer
jget() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(eval('d'+sys.argv[2]))" "$1" "$2"; }
sorted_json() { python3 -c "import json,sys; rows=[json.dumps(json.loads(l),sort_keys=True) for l in sys.stdin if l.strip()]; print('\n'.join(sorted(rows)))"; }

A="$T/a"
"$CLI" create "$A" --schema 'id long not null, service_name string, duration_ms long, ts timestamp, amount decimal(10,2), day date' --partition-by day >/dev/null
check "[ $? -eq 0 ]" "create"
: >"$T/all.ndjson"
for i in $(seq 0 29); do
  python3 - "$i" >"$T/in.ndjson" <<'PY'
import sys, random
i = int(sys.argv[1]); r = random.Random(i)
for k in range(40):
    id = i * 40 + k
    print('{"id":%d,"service_name":"svc-%d","duration_ms":%d,"ts":"2024-01-0%dT%02d:00:00.%06dZ","amount":"%d.%02d","day":"2024-01-0%d"}'
          % (id, r.randrange(8), r.randrange(100000), 1 + id % 3, r.randrange(24), r.randrange(1000000), r.randrange(1000), r.randrange(100), 1 + id % 3))
PY
  cat "$T/in.ndjson" >>"$T/all.ndjson"
  "$CLI" write "$A" --input "$T/in.ndjson" >/dev/null || fail=$((fail+1))
done
expect=$("$CLI" query "$A" --format jsonl | sorted_json)
check "[ \$(wc -l <<<\"\$expect\") -eq 1200 ]" "30 appends of 40 rows"

# history
h=$("$CLI" history "$A" --format jsonl)
check "[ \$(wc -l <<<\"\$h\") -eq 31 ] && [ \"\$(head -1 <<<\"\$h\" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d[\"version\"], d[\"operation\"], d[\"records_added\"], d[\"records_removed\"], d[\"read_version\"])')\" = '30 WRITE 40 0 29' ]" "history: newest first, WRITE with 40 records added"
check "[ \"\$(tail -1 <<<\"\$h\" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d[\"version\"], d[\"operation\"])')\" = '0 CREATE TABLE' ]" "history: version 0 is CREATE TABLE"
check "[ \$(\"$CLI\" history \"$A\" --limit 5 --format jsonl | wc -l) -eq 5 ]" "history --limit"
"$CLI" history "$A" >"$T/h.txt"
check "head -1 '$T/h.txt' | grep -q 'version | timestamp' && grep -q 'CREATE TABLE' '$T/h.txt'" "history table format"
check "[ \$(\"$CLI\" history \"$A\" --format csv | wc -l) -eq 32 ]" "history csv"

# stats
s=$("$CLI" stats "$A" --format json)
check "[ \"\$(jget '$s' '[\"record_count\"]')\" = 1200 ] && [ \"\$(jget '$s' '[\"file_count\"]')\" = 90 ] && [ \"\$(jget '$s' '[\"partition_count\"]')\" = 3 ] && [ \"\$(jget '$s' '[\"small_file_count\"]')\" = 90 ]" "stats: records, files, partitions, small files"
check "[ \"\$(jget '$s' '[\"partitions\"][0][\"files\"]')\" = 30 ] && [ \"\$(jget '$s' '[\"partitions\"][0][\"partition\"]')\" = 'day=2024-01-01' ]" "stats: files per partition"
check "\"$CLI\" stats \"$A\" | grep -q '^record_count *1200'" "stats table format"

# optimize: bin-pack
o=$("$CLI" optimize "$A")
check "[ \"\$(jget '$o' '[\"files_removed\"]')\" = 90 ] && [ \"\$(jget '$o' '[\"files_added\"]')\" = 3 ] && [ \"\$(jget '$o' '[\"version\"]')\" = 31 ]" "optimize compacts 90 files into 3"
got=$("$CLI" query "$A" --format jsonl | sorted_json)
check "[ \"\$got\" = \"\$expect\" ]" "optimized table has the same rows"
old=$("$CLI" query "$A" --version 30 --format jsonl | sorted_json)
check "[ \"\$old\" = \"\$expect\" ]" "version 30 unchanged (time travel)"
# optimize: Z-order, small target so there are several files per partition
o=$("$CLI" optimize "$A" --zorder service_name,duration_ms --target-size 4K)
check "[ \"\$(jget '$o' '[\"files_removed\"]')\" = 3 ] && [ \"\$(jget '$o' '[\"files_added\"]')\" -gt 3 ] && [ \"\$(jget '$o' '[\"z_order_columns\"]')\" = \"['service_name', 'duration_ms']\" ]" "optimize --zorder rewrites each partition into several files"
got=$("$CLI" query "$A" --format jsonl | sorted_json)
check "[ \"\$got\" = \"\$expect\" ]" "Z-ordered table has the same rows"
"$CLI" optimize "$A" --where "duration_ms > 5" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q INVALID_ARGUMENT '$T/err'" "optimize --where on a data column is refused"
"$CLI" optimize "$A" --target-size abc >/dev/null 2>&1
check "[ $? -eq 2 ]" "optimize --target-size abc is a usage error"
if [ $have_duck -eq 1 ]; then
  d=$(duck "select id, service_name, duration_ms, ts, amount, day from read_parquet($(filelist "$A"), hive_partitioning=true)" | sorted_json)
  check "[ \"\$d\" = \"\$expect\" ]" "DuckDB reads the optimized files with the same values"
fi
# vacuum: an orphan, aged; dry run lists it, vacuum deletes it, nothing referenced goes
echo junk >"$A/day=2024-01-02/part-00009-orphan-c000.snappy.parquet"
touch -d '10 days ago' "$A/day=2024-01-02/part-00009-orphan-c000.snappy.parquet"
"$CLI" vacuum "$A" --retention-hours 1 >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q INVALID_ARGUMENT '$T/err'" "vacuum below the table retention without --force fails"
d=$("$CLI" vacuum "$A" --dry-run 2>/dev/null)
check "[ \"\$d\" = 'day=2024-01-02/part-00009-orphan-c000.snappy.parquet' ] && [ -f '$A/day=2024-01-02/part-00009-orphan-c000.snappy.parquet' ]" "vacuum --dry-run lists the orphan, deletes nothing"
v=$("$CLI" vacuum "$A" --format jsonl 2>"$T/err")
check "[ \"\$v\" = '{\"path\":\"day=2024-01-02/part-00009-orphan-c000.snappy.parquet\"}' ] && [ ! -f '$A/day=2024-01-02/part-00009-orphan-c000.snappy.parquet' ] && grep -q '1 files deleted' '$T/err'" "vacuum deletes the orphan"
got=$("$CLI" query "$A" --version 30 --format jsonl | sorted_json)
check "[ \"\$got\" = \"\$expect\" ]" "version 30 still reads after vacuum (within retention)"
check "\"$CLI\" history \"$A\" --limit 2 --format jsonl | grep -q 'VACUUM END'" "history shows VACUUM END"

# restore to version 10
exp10=$(head -400 "$T/all.ndjson" | sorted_json)
r=$("$CLI" restore "$A" --version 10)
check "[ \"\$(jget '$r' '[\"restored_version\"]')\" = 10 ] && [ \"\$(jget '$r' '[\"files_added\"]')\" = 30 ]" "restore --version 10 adds back version 10's files"
got=$("$CLI" query "$A" --format jsonl | sorted_json)
check "[ \"\$got\" = \"\$exp10\" ]" "restored table has version 10's rows"
"$CLI" restore "$A" >/dev/null 2>&1
check "[ $? -eq 2 ]" "restore without --version/--timestamp is a usage error"
"$CLI" restore "$A" --version 999 >/dev/null 2>"$T/err"
check "grep -q NOT_FOUND '$T/err'" "restore to a missing version: NOT_FOUND"
[ $fail -eq 0 ] && echo "all passed" || echo "$fail failed"
exit $fail
