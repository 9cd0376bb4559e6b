#!/usr/bin/env bash
# deltalake write --input-format parquet into partitioned tables: a Parquet
# file (a data file of an unpartitioned table holding every kind of value:
# nulls and odd strings in partition columns, decimals, timestamps with and
# without zone, NaN/Infinity, maps, structs, arrays, binary, extreme longs)
# lands in the right partitions with the same rows; hash-bucket partitions
# work; a type mismatch names the column; deltalake check accepts the result;
# every partition type gives the same table as the same rows written as NDJSON.
. "$(dirname "$0")/lib.sh"
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

# Same rows as NDJSON and as Parquet into tables partitioned by every kind
# of partition type (int, date, timestamp with and without zone, string
# with special characters and the empty string, boolean, decimal, double;
# nulls in each): the same rows, the same partition directories and the
# same partitionValues (the Parquet path renders values as the NDJSON path).
S2='id long not null, k int, day date, ts timestamp, tn timestamp_ntz, s string, ok boolean, amt decimal(6,2), d double, msg string'
P2='k,day,ts,tn,s,ok,amt,d'
python3 - >"$tmp/in2.ndjson" <<'PY'
import json
S = ['web', 'a b/c=%', 'ünï', "q'uote\"", '', 'x#y?z&']
for i in range(700):
    g = i % 7  # one partition a group; group 6: every partition value null
    n = g == 6
    print(json.dumps({'id': i, 'k': None if n else g * 1000 - 2000,
                      'day': None if n else '2024-02-%02d' % (g + 1),
                      'ts': None if n else ('2024-01-01T00:00:0%dZ' % g if g % 2 else '2024-01-01T10:00:00.%06dZ' % (g * 1111)),
                      'tn': None if n else '2023-12-31T23:59:5%d' % g,
                      's': None if n else S[g], 'ok': None if n else g % 2 == 0,
                      'amt': None if n else '%d.%02d' % (g - 3, g * 7), 'd': None if n else g / 4 - 0.5,
                      'msg': 'row %d' % i}))
PY
"$CLI" create "$tmp/flat2" --schema "$S2" >/dev/null
"$CLI" write "$tmp/flat2" --input "$tmp/in2.ndjson" >/dev/null
F2=$(ls "$tmp"/flat2/*.parquet)
"$CLI" create "$tmp/nd" --schema "$S2" --partition-by "$P2" >/dev/null
"$CLI" write "$tmp/nd" --input "$tmp/in2.ndjson" >/dev/null
"$CLI" create "$tmp/pq" --schema "$S2" --partition-by "$P2" >/dev/null
out=$("$CLI" write "$tmp/pq" --input "$F2" --input-format parquet); rc=$?
check "[ $rc -eq 0 ] && echo '$out' | grep -q '\"rows_written\":700'" "parquet input partitioned by 8 columns of 8 types ($out)"
"$CLI" query "$tmp/nd" --format jsonl | sort >"$tmp/nd.rows"
"$CLI" query "$tmp/pq" --format jsonl | sort >"$tmp/pq.rows"
check "[ \$(wc -l <'$tmp/pq.rows') -eq 700 ] && cmp -s '$tmp/nd.rows' '$tmp/pq.rows'" "the same rows as the NDJSON write"
pvals() { python3 -c "
import json, glob, sys
s = set()
for f in glob.glob(sys.argv[1] + '/_delta_log/*.json'):
    for l in open(f):
        a = json.loads(l)
        if 'add' in a: s.add((json.dumps(a['add']['partitionValues'], sort_keys=True), a['add']['path'].rsplit('/', 1)[0]))
for x in sorted(s): print(*x)" "$1"; }
pvals "$tmp/nd" >"$tmp/nd.pv"
pvals "$tmp/pq" >"$tmp/pq.pv"
check "[ \$(wc -l <'$tmp/pq.pv') -eq 7 ] && cmp -s '$tmp/nd.pv' '$tmp/pq.pv'" "the same 7 partitions (values and paths) as the NDJSON write ($(head -c 300 "$tmp/pq.pv"))"
check "grep -q '\"ts\": \"2024-01-01 00:00:01\"' '$tmp/pq.pv' && grep -q '\"ts\": \"2024-01-01 10:00:00.002222\"' '$tmp/pq.pv' && grep -q '\"day\": \"2024-02-03\"' '$tmp/pq.pv' && grep -q '\"k\": \"-2000\"' '$tmp/pq.pv'" "timestamps, dates and ints in Delta partition-value notation"
check "grep -q '\"k\": null.*\"s\": null' '$tmp/pq.pv'" "null partition values"
check "'$CLI' check '$tmp/pq' >/dev/null" "deltalake check accepts it"

# columns the file lacks: nullable ones read as null, a NOT NULL one is refused
"$CLI" create "$tmp/extra" --schema "$S2, extra string" --partition-by k,s >/dev/null
"$CLI" write "$tmp/extra" --input "$F2" --input-format parquet >/dev/null; rc=$?
n=$("$CLI" query "$tmp/extra" --where 'extra IS NULL' --count --format jsonl)
check "[ $rc -eq 0 ] && [ '$n' = '{\"count\":700}' ]" "a table column missing from the file is null ($n)"
"$CLI" create "$tmp/nn" --schema "$S2, extra string not null" --partition-by k >/dev/null
"$CLI" write "$tmp/nn" --input "$F2" --input-format parquet >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"SCHEMA_MISMATCH: .*column 'extra'\" '$tmp/err'" "a NOT NULL column missing from the file is refused ($(cat "$tmp/err"))"
"$CLI" create "$tmp/nnp" --schema "${S2/k int/k int not null}" --partition-by k >/dev/null
"$CLI" write "$tmp/nnp" --input "$F2" --input-format parquet >/dev/null 2>"$tmp/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"SCHEMA_MISMATCH: .*parquet input: row 7: partition column 'k': expected integer not null, got null\" '$tmp/err'" "a null in a NOT NULL partition column is refused ($(cat "$tmp/err"))"
check "[ ! -f '$tmp/nnp/_delta_log/00000000000000000001.json' ]" "nothing committed then"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
