#!/usr/bin/env bash
# deltalake write --mode overwrite --replace-where PRED: the predicate is the
# query language (IN, OR, NOT, IS NULL, comparisons on dates and numbers)
# over partition columns; exactly the matching partitions are replaced,
# written rows outside the predicate are refused, and bad predicates give
# clear errors with their position (non-partition column, unknown column,
# syntax, types, unquoted text).
. "$(dirname "$0")/lib.sh"

# 2 regions + null x 3 days x n in {1,2}: ids encode the partition
seed() {
  rm -rf "$tmp/t"
  "$CLI" create "$tmp/t" --schema 'id long, region string, day date, n int' --partition-by region,day,n >/dev/null
  python3 -c "
import json
i = 0
for r in ['eu', 'us', None]:
    for d in ['2024-01-01', '2024-01-02', '2024-01-03']:
        for n in [1, 2]:
            i += 1
            print(json.dumps({'id': i, 'region': r, 'day': d, 'n': n}))" | "$CLI" write "$tmp/t" >/dev/null
}
# ids left after overwriting PRED with ROWS (ndjson), sorted, comma-separated
ids() { "$CLI" query "$tmp/t" --select id --format jsonl | python3 -c '
import json, sys
print(",".join(str(i) for i in sorted(json.loads(l)["id"] for l in sys.stdin)))'; }
# the ids the predicate keeps (python over the same rows), plus the new ones
expect() {
  python3 -c "
import sys
rows = []
i = 0
for r in ['eu', 'us', None]:
    for d in ['2024-01-01', '2024-01-02', '2024-01-03']:
        for n in [1, 2]:
            i += 1
            rows.append((i, r, d, n))
keep = [i for (i, region, day, n) in rows if not ($1)]
print(','.join(str(x) for x in sorted(keep + [$2])))"
}
overwrite() { # PRED ROWS
  printf '%s\n' "$2" | "$CLI" write "$tmp/t" --mode overwrite --replace-where "$1" >/dev/null 2>"$tmp/err"
}

run() { # PRED python-PRED NEW-ROW NEW-ID
  seed
  overwrite "$1" "$3"; local rc=$?
  local got want
  got=$(ids)
  want=$(expect "$2" "$4")
  check "[ $rc -eq 0 ] && [ '$got' = '$want' ]" "replace-where \"$1\" replaces exactly its partitions ($got; $(head -c 200 "$tmp/err"))"
}
run "region IN ('eu', 'us') AND n = 1" "region in ('eu', 'us') and n == 1" '{"id":100,"region":"us","day":"2024-01-01","n":1}' 100
run "region = 'eu' OR n = 2" "region == 'eu' or n == 2" '{"id":100,"region":"eu","day":"2024-01-02","n":1}' 100
run "NOT (region = 'eu') AND region IS NOT NULL" "region is not None and region != 'eu'" '{"id":100,"region":"us","day":"2024-01-03","n":2}' 100
run "region IS NULL" "region is None" '{"id":100,"day":"2024-01-03","n":2}' 100
run "day >= DATE '2024-01-02'" "day >= '2024-01-02'" '{"id":100,"region":"eu","day":"2024-01-02","n":2}' 100
run "day < '2024-01-02' AND n BETWEEN 1 AND 1" "day < '2024-01-02' and n == 1" '{"id":100,"region":"us","day":"2024-01-01","n":1}' 100
run "region = 'eu' AND day = '2024-01-01' AND n = 1" "region == 'eu' and day == '2024-01-01' and n == 1" '{"id":100,"region":"eu","day":"2024-01-01","n":1}' 100

seed
overwrite "region IN ('eu', 'us') AND n = 1" '{"id":100,"region":"us","day":"2024-01-01","n":2}'; rc=$?
check "[ $rc -eq 1 ] && grep -q 'do not match the replace_where predicate' '$tmp/err'" "a written row outside the predicate is refused"
check "[ ! -e '$tmp/t/_delta_log/00000000000000000002.json' ]" "and nothing is committed"

err() { # PRED CODE TEXT: the write fails with CODE and a message containing TEXT
  overwrite "$1" '{"id":100,"region":"eu","day":"2024-01-01","n":1}'; local rc=$?
  check "[ $rc -eq 1 ] && grep -q '^deltalake write: $2: .*replace_where: ' '$tmp/err' && grep -qF \"$3\" '$tmp/err'" \
    "replace-where \"$1\": $2 ... $3 ($(head -c 200 "$tmp/err"))"
}
err "id = 1" UNSUPPORTED "'id' is not a partition column at 1:1"
err "region = 'eu' AND id > 3" UNSUPPORTED "'id' is not a partition column at 1:19"
err "regoin = 'eu'" NOT_FOUND "column 'regoin' not found at 1:1; did you mean 'region'?"
err "region IN ('eu', us)" NOT_FOUND "column 'us' not found at 1:18; did you mean 'id'? (text values take quotes: 'us')"
err "region = eu" NOT_FOUND "text values take quotes: 'eu'"
err "region = 'eu' AND" PARSE "at 1:18"
err "region IN ('eu'" PARSE "at 1:"
err "day > 5" SCHEMA_MISMATCH "cannot compare date with long at 1:"
err "n" SCHEMA_MISMATCH "at 1:"
if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
