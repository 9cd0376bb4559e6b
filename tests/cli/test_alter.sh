#!/usr/bin/env bash
# deltalake alter: rename / drop (column mapping enabled on the way), add,
# refusals (partition column drop, unknown column, no action, no table,
# object stores); the data
# reads back under the new names, time travel sees the old ones, check passes.
. "$(dirname "$0")/lib.sh"
T="$tmp/t"
"$CLI" create "$T" --schema 'id long, name string, n int, p string' --partition-by p >/dev/null
printf '{"id":1,"name":"a","n":1,"p":"x"}\n{"id":2,"name":"b","n":2,"p":"y"}\n' | "$CLI" write "$T" >/dev/null
out=$("$CLI" alter "$T" --rename-column name=label)
check "[ '$out' = '{\"version\":2}' ]" "rename commits version 2"
"$CLI" describe "$T" >"$tmp/d"
check "grep -q 'column mapping: name' '$tmp/d' && grep -q 'reader features: columnMapping' '$tmp/d'" "rename enabled column mapping"
out=$("$CLI" alter "$T" --drop-column n)
check "[ '$out' = '{\"version\":3}' ]" "drop commits version 3"
printf '{"id":3,"label":"c","p":"x"}\n' | "$CLI" write "$T" >/dev/null
"$CLI" query "$T" --order-by id --format jsonl >"$tmp/q"
printf '{"id":1,"label":"a","p":"x"}\n{"id":2,"label":"b","p":"y"}\n{"id":3,"label":"c","p":"x"}\n' >"$tmp/want"
check "cmp -s '$tmp/q' '$tmp/want'" "old and new rows under the new schema"
"$CLI" query "$T" --version 1 --order-by id --format jsonl >"$tmp/q1"
printf '{"id":1,"name":"a","n":1,"p":"x"}\n{"id":2,"name":"b","n":2,"p":"y"}\n' >"$tmp/want1"
check "cmp -s '$tmp/q1' '$tmp/want1'" "time travel before the rename sees the old names"
"$CLI" alter "$T" --drop-column p >/dev/null 2>&1
check "[ $? -eq 1 ]" "dropping a partition column is refused (exit 1)"
"$CLI" alter "$T" --drop-column nope >/dev/null 2>&1
check "[ $? -eq 1 ]" "dropping an unknown column fails (exit 1)"
"$CLI" alter "$T" >/dev/null 2>&1
check "[ $? -eq 2 ]" "no action is a usage error (exit 2)"
"$CLI" alter "$T" --add-column 'n long' >/dev/null
"$CLI" query "$T" --where 'id = 1' --format jsonl >"$tmp/q2"
check "[ \"\$(cat '$tmp/q2')\" = '{\"id\":1,\"label\":\"a\",\"p\":\"x\",\"n\":null}' ]" "a re-added dropped column reads null for old rows"
"$CLI" check "$T" >/dev/null 2>&1
check "[ $? -eq 0 ]" "check passes"
# alter runs on the table location without a connector: a missing table is
# NOT_FOUND, an object store is refused before any request (as for write)
"$CLI" alter "$tmp/none" --add-column 'x int' >/dev/null 2>"$tmp/e1"
check "[ $? -eq 1 ] && grep -q 'NOT_FOUND' '$tmp/e1'" "no table there: NOT_FOUND (exit 1)"
for a in "--add-column 'x int'" "--rename-column a=b" "--drop-column a" "--enable-column-mapping"; do
  eval "\"\$CLI\" alter s3://dlk-no-bucket/t $a" >/dev/null 2>"$tmp/e2"
  check "[ $? -eq 1 ] && grep -q 'UNSUPPORTED.*object stores' '$tmp/e2' && ! grep -q 's3: GET' '$tmp/e2'" "alter $a on s3:// is UNSUPPORTED"
done
[ $fail -eq 0 ] || exit 1
