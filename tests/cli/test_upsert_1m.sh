#!/usr/bin/env bash
# Issue 8's check at full size: an upsert of 10k keys into a 1M-row span
# table partitioned by date reads only the data files whose partition values
# and id statistics can hold one of the keys. The candidate files are
# computed here independently from the add actions in _delta_log; the
# upsert's own counts (files_scanned / files_skipped, rows updated and
# inserted) must equal them, and the table must hold the input's values.
set -u
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=$((fail+1)); else echo "ok   $2"; fi; }
CLI="$DLK_CLI"
GEN="${DLK_BUILD_DIR:?}/bench/gen_spans"
[ -x "$GEN" ] || { echo "FAIL: $GEN not built"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ROWS=${DLK_UPSERT_ROWS:-1000000}
T="$tmp/spans"
"$CLI" create "$T" --schema "$("$GEN" --schema)" --partition-by date >/dev/null || exit 1
# ingested over time: 10 appends of ROWS/10 rows (ids ascending)
"$GEN" --rows "$ROWS" --seed 42 --days 30 --out "$tmp/all.ndjson"
split -l $((ROWS / 10)) "$tmp/all.ndjson" "$tmp/part."
for f in "$tmp"/part.*; do "$CLI" write "$T" --input "$f" >/dev/null || echo "write $f failed" >>"$tmp/errors"; done
check "[ ! -s '$tmp/errors' ]" "1M rows written in 10 appends"
# 10k keys: the last 5000 ids of the table and 5000 new ones
"$GEN" --rows 10000 --seed 7 --days 30 --start-id $((ROWS - 4999)) --out "$tmp/upsert.ndjson"

# files that can hold a key: same date partition as some input row with an id in [min, max]
python3 - "$T" "$tmp/upsert.ndjson" >"$tmp/expect.json" <<'PY'
import json, os, sys, glob
root, inp = sys.argv[1], sys.argv[2]
files = {}
for p in sorted(glob.glob(os.path.join(root, '_delta_log', '*.json'))):
    for line in open(p):
        a = json.loads(line)
        if 'add' in a:
            files[a['add']['path']] = a['add']
        elif 'remove' in a:
            files.pop(a['remove']['path'], None)
keys = [json.loads(l) for l in open(inp)]
cand = 0
for add in files.values():
    st = json.loads(add['stats'])
    lo, hi = st['minValues']['id'], st['maxValues']['id']
    if any(lo <= k['id'] <= hi for k in keys):  # key = id: any partition may hold it
        cand += 1
print(json.dumps({'total': len(files), 'candidates': cand}))
PY
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$tmp/expect.json")
cand=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["candidates"])' "$tmp/expect.json")
check "[ $cand -gt 0 ] && [ $((cand * 4)) -lt $total ]" "the keys fall in few of the files ($cand of $total)"

r=$("$CLI" upsert "$T" --key id --input "$tmp/upsert.ndjson" --format jsonl); rc=$?
echo "upsert: $r"
get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$r" "$1"; }
check "[ $rc -eq 0 ]" "upsert of 10k keys commits"
check "[ $(get files_scanned) -eq $cand ] && [ $(get files_skipped) -eq $((total - cand)) ]" \
  "the upsert read exactly the candidate files (scanned $(get files_scanned), skipped $(get files_skipped))"
check "[ $(get rows_updated) -eq 5000 ] && [ $(get rows_inserted) -eq 5000 ]" "5000 keys updated, 5000 inserted"
n=$("$CLI" query "$T" --count --format jsonl)
check "[ '$n' = '{\"count\":$((ROWS + 5000))}' ]" "the table holds $((ROWS + 5000)) rows ($n)"
# every upserted key holds the input's values, exactly once
"$CLI" query "$T" --where "id > $((ROWS - 5000))" --select id,span_id,duration_ms,status_code,date --format jsonl >"$tmp/got.jsonl"
python3 - "$tmp/upsert.ndjson" "$tmp/got.jsonl" <<'PY' >"$tmp/cmp" 2>&1
import json, sys
want = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    want[r['id']] = (r['span_id'], r['duration_ms'], r['status_code'], r['date'])
got = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    if r['id'] in got:
        print('duplicate id', r['id']); sys.exit(1)
    got[r['id']] = (r['span_id'], r['duration_ms'], r['status_code'], r['date'])
if got != want:
    bad = [k for k in want if got.get(k) != want[k]][:5]
    print('mismatch', len(got), len(want), bad); sys.exit(1)
print('ok', len(got))
PY
check "[ \$? -eq 0 ]" "upserted rows equal the input, once each ($(cat "$tmp/cmp"))"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
