#!/usr/bin/env bash
# deltalake write --input-format parquet into partitioned tables: a Parquet
# file (a data file of an unpartitioned table holding every kind of value:
# nulls and odd strings in partition columns, decimals, timestamps with and
# without zone, NaN/Infinity, maps, structs, arrays, binary, extreme longs)
# lands in the right partitions with the same rows; hash-bucket partitions
# work; a type mismatch names the column; deltalake check accepts the result.
set -u
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=$((fail+1)); else echo "ok   $2"; fi; }
CLI="$DLK_CLI"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S='id long not null, svc string, day date, ts timestamp, tn timestamp_ntz, amt decimal(10,2), v double, ok boolean, tags map<string,string>, s struct<a: int, b: array<string>>, bin binary, big long'
"$CLI" create "$tmp/flat" --schema "$S" >/dev/null
python3 - >"$tmp/in.ndjson" <<'PY'
import json, base64
for i in range(600):
    print(json.dumps({
        'id': i, 'svc': ['web', 'db', None, 'a b/c=%', 'ünï'][i % 5], 'day': '2024-01-0%d' % (1 + i % 3),
        'ts': '2024-01-01T00:00:%02d.123456Z' % (i % 60), 'tn': None if i % 11 == 0 else '2023-12-31T23:59:%02d' % (i % 60),
        'amt': '%d.%02d' % (i, i % 100), 'v': ['NaN', '-Infinity', None, i / 7][i % 4], 'ok': i % 2 == 0,
        'tags': {'k': str(i)}, 's': None if i % 13 == 0 else {'a': i, 'b': ['x', None] if i % 2 else []},
        'bin': base64.b64encode(bytes([i % 256, 0, 255])).decode(), 'big': [9223372036854775807, -9223372036854775808, i][i % 3]}))
PY
"$CLI" write "$tmp/flat" --input "$tmp/in.ndjson" >/dev/null
F=$(ls "$tmp"/flat/*.parquet)
"$CLI" query "$tmp/flat" --format jsonl | sort >"$tmp/want"
check "[ \$(wc -l <'$tmp/want') -eq 600 ]" "source file holds 600 rows"

"$CLI" create "$tmp/part" --schema "$S" --partition-by svc,day >/dev/null
out=$("$CLI" write "$tmp/part" --input "$F" --input-format parquet); rc=$?
check "[ $rc -eq 0 ] && echo '$out' | grep -q '\"rows_written\":600'" "parquet input into a table partitioned by svc,day ($out)"
"$CLI" query "$tmp/part" --format jsonl | sort >"$tmp/got"
check "cmp -s '$tmp/want' '$tmp/got'" "the partitioned table returns exactly the file's rows"
n=$(ls -d "$tmp"/part/svc=*/day=* | wc -l)
check "[ $n -eq 15 ]" "5 services (one null) x 3 days = 15 partition directories ($n)"
check "[ -d '$tmp/part/svc=__HIVE_DEFAULT_PARTITION__' ]" "null partition value in __HIVE_DEFAULT_PARTITION__"
check "'$CLI' check '$tmp/part' >/dev/null" "deltalake check accepts the table"

"$CLI" create "$tmp/bucket" --schema "$S" --partition-by 'bucket(4, id)' >/dev/null
"$CLI" write "$tmp/bucket" --input "$F" --input-format parquet >/dev/null; rc=$?
"$CLI" query "$tmp/bucket" --select id,svc,day,ts,tn,amt,v,ok,tags,s,bin,big --format jsonl | sort >"$tmp/gotb"
check "[ $rc -eq 0 ] && cmp -s '$tmp/want' '$tmp/gotb'" "hash-bucket partitioned table from parquet input"

"$CLI" create "$tmp/bad" --schema 'id int not null, svc string' --partition-by svc >/dev/null
"$CLI" write "$tmp/bad" --input "$F" --input-format parquet >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"column 'id': expected integer, got long\" '$tmp/err'" "type mismatch in a partitioned write names the column"
check "[ ! -f '$tmp/bad/_delta_log/00000000000000000001.json' ]" "nothing committed after the mismatch"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
