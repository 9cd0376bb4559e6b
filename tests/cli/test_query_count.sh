#!/usr/bin/env bash
# deltalake query --count: equals the number of rows a full query returns
# (with and without --where, after a soft delete, at an older version);
# without --where it reads no data file (a truncated data file does not
# matter to it, while a real scan fails on it); files whose add has no
# numRecords are scanned instead.
. "$(dirname "$0")/lib.sh"
T="$tmp/t"
"$CLI" create "$T" --schema 'id long not null, s string, v double' --partition-by s >/dev/null
for k in 1 2 3 4; do
  python3 -c "
import json
for i in range($k * 250):
    print(json.dumps({'id': $k * 100000 + i, 's': 'p%d' % (i % 5), 'v': None if i % 7 == 0 else i / 3}))" |
    "$CLI" write "$T" >/dev/null || echo "write $k failed"
done
rows() { "$CLI" query "$T" "$@" --format jsonl | wc -l; }
cnt() { "$CLI" query "$T" "$@" --count --format jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }

check "[ $(cnt) -eq 2500 ] && [ $(rows) -eq 2500 ]" "count of the whole table = rows returned = rows written (2500)"
for p in "id % 3 = 0" "s = 'p2'" "v IS NULL" "v > 100 AND s IN ('p1', 'p4')" "id < 0"; do
  a=$(cnt --where "$p"); b=$(rows --where "$p")
  check "[ '$a' = '$b' ]" "--count --where \"$p\" = rows returned ($a)"
done
check "[ $(cnt --version 2) -eq 750 ]" "--count --version 2 = 250 + 500"

"$CLI" delete "$T" --where "id % 10 = 1" --soft --enable-dv >/dev/null
a=$(cnt); b=$(rows)
check "[ '$a' = '$b' ] && [ $a -eq 2250 ]" "after a soft delete the count subtracts deletion-vector rows ($a)"
a=$(cnt --where "s = 'p1'"); b=$(rows --where "s = 'p1'")
check "[ '$a' = '$b' ]" "--count --where after the soft delete ($a)"

# no data file is opened without --where: break one and compare
f=$(find "$T" -name '*.parquet' | head -1)
cp "$f" "$tmp/saved"
head -c 100 "$tmp/saved" >"$f"
check "[ $(cnt) -eq 2250 ]" "--count without --where does not read data files"
"$CLI" query "$T" --count --where "id > 0" >/dev/null 2>&1; rc=$?
check "[ $rc -ne 0 ]" "--count --where reads them (the broken file is an error)"
cp "$tmp/saved" "$f"

# adds without numRecords: those files are scanned
C="$tmp/nostats"
cp -a "$T" "$C"
python3 - "$C/_delta_log/00000000000000000001.json" <<'PY'
import json, sys
p = sys.argv[1]
out = []
for line in open(p):
    a = json.loads(line)
    if 'add' in a:
        a['add'].pop('stats', None)
    out.append(json.dumps(a))
open(p, 'w').write('\n'.join(out) + '\n')
PY
a=$("$CLI" query "$C" --count --format jsonl); b=$("$CLI" query "$C" --format jsonl | wc -l)
check "[ '$a' = '{\"count\":$b}' ]" "adds without stats are counted by scanning them ($a)"

"$CLI" query "$T" --count --select id >/dev/null 2>&1; rc=$?
check "[ $rc -eq 2 ]" "--count with --select is a usage error"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
