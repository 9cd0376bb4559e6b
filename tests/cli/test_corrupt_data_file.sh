#!/usr/bin/env bash
# A corrupt data file keeps its error code: delete, update, upsert, optimize,
# query --count --where and query report CORRUPT (exit status 1, "deltalake
# CMD: CORRUPT: ..."), not IO, for a truncated file, a bad footer and a
# damaged page header; the message names the file exactly once; nothing is
# committed, and with the file restored the table reads at its last version
# with every row.
. "$(dirname "$0")/lib.sh"
T="$tmp/t"
"$CLI" create "$T" --schema 'id long not null, name string' >/dev/null
# three small files (optimize compacts them): ids 0-332, 333-665, 666-999
for r in "0 333" "333 666" "666 1000"; do
  set -- $r
  python3 -c "
import json
for i in range($1, $2): print(json.dumps({'id': i, 'name': 'n%d' % i}))" | "$CLI" write "$T" >/dev/null || echo "write $1 failed"
done
# the file of version 1 holds id 3
rel=$(python3 -c "
import json
for l in open('$T/_delta_log/00000000000000000001.json'):
    a = json.loads(l)
    if 'add' in a: print(a['add']['path'])")
F="$T/$rel"
cp "$F" "$tmp/orig.parquet"
size=$(stat -c %s "$F")
echo '{"id": 3, "name": "new"}' >"$tmp/up.ndjson"
"$CLI" query "$T" --format jsonl | sort >"$tmp/want"
check "[ \$(wc -l <'$tmp/want') -eq 1000 ]" "the table holds 1000 rows in 3 files"

corrupt() {
  cp "$tmp/orig.parquet" "$F"
  case $1 in
  truncated) head -c $((size / 2)) "$tmp/orig.parquet" >"$F" ;;
  footer) printf 'XXXX' | dd of="$F" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null ;;
  body) printf '\377\377\377\377\377\377' | dd of="$F" bs=1 seek=40 conv=notrunc 2>/dev/null ;;
  page) printf '\377\377\377\377\377\377\377\377' | dd of="$F" bs=1 seek=4 conv=notrunc 2>/dev/null ;;
  esac
}

# run CMD...: exit status 1, "deltalake CMD: CORRUPT:", the file named once
expect_corrupt() {
  local what=$1 cmd=$2
  shift 2
  "$CLI" "$cmd" "$@" >/dev/null 2>"$tmp/err"
  local rc=$? n
  n=$(grep -o "$(basename "$rel")" "$tmp/err" | wc -l)
  check "[ $rc -eq 1 ] && grep -q '^deltalake $cmd: CORRUPT: ' '$tmp/err' && [ $n -eq 1 ]" \
    "$what: $cmd ${*#"$T"} -> CORRUPT, file named once ($(head -c 300 "$tmp/err"))"
}

for kind in truncated footer page body; do
  corrupt $kind
  expect_corrupt "$kind" delete "$T" --where 'id = 3'
  expect_corrupt "$kind" delete "$T" --where 'id = 3' --hard
  expect_corrupt "$kind" update "$T" --set "name = 'x'" --where 'id = 3'
  expect_corrupt "$kind" upsert "$T" --input "$tmp/up.ndjson" --key id
  expect_corrupt "$kind" optimize "$T"
  expect_corrupt "$kind" query "$T" --count --where 'id = 3'
  expect_corrupt "$kind" query "$T" --where 'id = 3'
  expect_corrupt "$kind" query "$T"
done

cp "$tmp/orig.parquet" "$F"
check "[ ! -e '$T/_delta_log/00000000000000000004.json' ]" "nothing was committed"
"$CLI" query "$T" --format jsonl | sort >"$tmp/got"
check "cmp -s '$tmp/want' '$tmp/got'" "with the file restored the table returns its 1000 rows"
check "'$CLI' check '$T' >/dev/null" "deltalake check accepts the table"
check "'$CLI' delete '$T' --where 'id = 3' >/dev/null && [ \$('$CLI' query '$T' --count --format jsonl) = '{\"count\":999}' ]" \
  "and delete works on it again"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
