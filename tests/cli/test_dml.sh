#!/usr/bin/env bash
# deltalake delete / upsert / update through the CLI. Expected rows are
# computed by python from the generated NDJSON; the table is read back with
# `deltalake query` (at the new version and by time travel at the previous
# one) and, when the DuckDB peer is installed, hard-deleted / rewritten files
# are read by DuckDB from the active file list of an independent log replay.
. "$(dirname "$0")/lib.sh"
T="$tmp"
use_duckdb_peer
jget() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d[sys.argv[2]])" "$1" "$2"; }
# sorted "id v" lines of a table (optionally --version N)
rows() { "$CLI" query "$@" --select id,v --format jsonl | python3 -c "
import json,sys
for r in sorted((json.loads(l) for l in sys.stdin), key=lambda r: r['id']): print(r['id'], r['v'])"; }

# data: id, day (3 partitions), v pseudo-random 0..999, name
python3 - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
with open(f"{t}/in.ndjson", "w") as f:
    for i in range(6000):
        f.write(json.dumps({"id": i, "day": f"2024-01-0{i % 3 + 1}", "v": (i * 2654435761) % 1000, "name": f"n{i}"}) + "\n")
EOF
expect() { python3 - "$T/in.ndjson" "$1" <<'EOF'
import json, sys
keep = eval("lambda r: not (" + sys.argv[2] + ")")
for r in sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["id"]):
    if keep(r): print(r["id"], r["v"])
EOF
}

# ---- hard delete on a plain partitioned table ---------------------------------
H="$T/h"
"$CLI" create "$H" --schema 'id long not null, day string, v long, name string' --partition-by day >/dev/null
"$CLI" write "$H" --input "$T/in.ndjson" >/dev/null
out=$("$CLI" delete "$H" --where "v >= 700 AND day <> '2024-01-02'" --hard); rc=$?
check "[ $rc -eq 0 ]" "delete --hard exits 0"
want_n=$(expect "r['v'] >= 700 and r['day'] != '2024-01-02'" | wc -l)
check "[ $(jget "$out" rows_deleted) -eq $((6000 - want_n)) ] && [ $(jget "$out" dvs_written) -eq 0 ] && [ $(jget "$out" files_rewritten) -eq 2 ]" "delete --hard counts ($out)"
rows "$H" >"$T/got"; expect "r['v'] >= 700 and r['day'] != '2024-01-02'" >"$T/want"
check "cmp -s '$T/got' '$T/want'" "rows after delete --hard equal the expected rows"
rows "$H" --version 1 >"$T/got"; expect "False" >"$T/want"
check "cmp -s '$T/got' '$T/want'" "time travel to the version before the delete has every row"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(*) c, sum(id) s, sum(v) sv from read_parquet($(filelist "$H"))")
  w=$(expect "r['v'] >= 700 and r['day'] != '2024-01-02'" | awk '{c++; s+=$1; sv+=$2} END{printf "{\"c\":%d,\"s\":%d,\"sv\":%d}", c, s, sv}')
  check "[ '$r' = '$w' ]" "DuckDB reads the rewritten files: $r"
fi
# partition-only predicate: files removed without reading
out=$("$CLI" delete "$H" --where "day = '2024-01-03'")
check "[ $(jget "$out" files_scanned) -eq 0 ] && [ $(jget "$out" files_removed) -eq 1 ]" "partition predicate removes the file unread ($out)"
"$CLI" delete "$H" --where "v < 5" --partition day=2024-01-09 >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q PARTITION_NOT_FOUND '$T/err' && grep -q 'day=2024-01-09' '$T/err'" "delete --partition of a missing partition: PARTITION_NOT_FOUND"
"$CLI" delete "$H" >/dev/null 2>&1; rc=$?
check "[ $rc -eq 2 ]" "delete without --where is a usage error"
out=$("$CLI" delete "$H" --where "v < 300" --partition day=2024-01-01 --format table)
check "echo '$out' | grep -q rows_deleted" "delete --format table prints a table"

# ---- soft delete (deletion vectors) ----------------------------------------------
S="$T/s"
"$CLI" create "$S" --schema 'id long not null, day string, v long, name string' --property delta.enableDeletionVectors=true >/dev/null
"$CLI" write "$S" --input "$T/in.ndjson" >/dev/null
out=$("$CLI" delete "$S" --where "v < 250 OR name = 'n5999'")
check "[ $(jget "$out" dvs_written) -eq 1 ] && [ $(jget "$out" files_rewritten) -eq 0 ]" "delete on a DV table writes a deletion vector ($out)"
rows "$S" >"$T/got"; expect "r['v'] < 250 or r['name'] == 'n5999'" >"$T/want"
check "cmp -s '$T/got' '$T/want'" "rows after the soft delete equal the expected rows"
check "ls '$S' | grep -q '^deletion_vector_.*\.bin$'" "the DV is stored in deletion_vector_<uuid>.bin"
rows "$S" --version 1 >"$T/got"; expect "False" >"$T/want"
check "cmp -s '$T/got' '$T/want'" "soft-deleted rows are back by time travel"
"$CLI" check "$S" >"$T/chk" 2>&1
check "[ $? -eq 0 ]" "deltalake check accepts the table with deletion vectors ($(tail -1 "$T/chk"))"

# ---- upsert -------------------------------------------------------------------------
# 300 existing ids (every 20th) get v = -id, 100 new ids, into the DV table S and the plain table H
python3 - "$T" <<'EOF2'
import json, sys
t = sys.argv[1]
with open(f"{t}/up.ndjson", "w") as f:
    for i in list(range(0, 6000, 20)) + list(range(7000, 7100)):
        f.write(json.dumps({"id": i, "day": f"2024-01-0{i % 3 + 1}", "v": -i, "name": "u"}) + "\n")
EOF2
up_expect() { python3 - "$1" "$T/up.ndjson" <<'EOF2'
import json, sys
base = {int(l.split()[0]): int(l.split()[1]) for l in open(sys.argv[1])}
for l in open(sys.argv[2]):
    r = json.loads(l); base[r["id"]] = r["v"]
for k in sorted(base): print(k, base[k])
EOF2
}
rows "$S" >"$T/before"
out=$("$CLI" upsert "$S" --key id --input "$T/up.ndjson"); rc=$?
upd=$(awk 'NR==FNR{u[$1]=1; next} ($1 in u)' <(python3 -c "
import json
for l in open('$T/up.ndjson'): print(json.loads(l)['id'])") "$T/before" | wc -l)
check "[ $rc -eq 0 ] && [ $(jget "$out" rows_updated) -eq $upd ] && [ $(jget "$out" rows_inserted) -eq $((400 - upd)) ] && [ $(jget "$out" dvs_written) -eq 1 ]" "upsert counts on the DV table ($out)"
rows "$S" >"$T/got"; up_expect "$T/before" >"$T/want"
check "cmp -s '$T/got' '$T/want'" "rows after upsert equal before + input"
printf '{"id":1,"v":1}\n{"id":1,"v":2}\n' | "$CLI" upsert "$S" --key id >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'duplicate key (id=1)' '$T/err'" "upsert: duplicate key without --dedup is an error naming the key"
printf '{"id":1,"v":1}\n{"id":1,"v":2}\n' | "$CLI" upsert "$S" --key id --dedup >/dev/null
check "[ \"\$("$CLI" query "$S" --where 'id = 1' --select v --format csv | tail -1)\" = 2 ]" "upsert --dedup keeps the last row"
printf '{"id":1,"v":1}\n{"id":2,"v":"x"}\n' | "$CLI" upsert "$S" --key id >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"SCHEMA_MISMATCH.*line 2: column 'v'\" '$T/err'" "upsert: schema mismatch names line and column"
rows "$H" >"$T/before"
out=$("$CLI" upsert "$H" --key id --input "$T/up.ndjson" --hard); rc=$?
rows "$H" >"$T/got"; up_expect "$T/before" >"$T/want"
check "[ $rc -eq 0 ] && cmp -s '$T/got' '$T/want'" "upsert --hard into the partitioned table ($out)"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(*) c, sum(id) s, sum(v) sv from read_parquet($(filelist "$H"))")
  w=$(awk '{c++; s+=$1; sv+=$2} END{printf "{\"c\":%d,\"s\":%d,\"sv\":%d}", c, s, sv}' "$T/want")
  check "[ '$r' = '$w' ]" "DuckDB reads the merged table: $r"
fi

# ---- update --------------------------------------------------------------------------
rows "$H" >"$T/before"
out=$("$CLI" update "$H" --set 'v = v * 2 + 1' --where 'id < 1000 AND v >= 0'); rc=$?
python3 - "$T/before" >"$T/want" <<'EOF2'
import sys
for l in open(sys.argv[1]):
    i, v = map(int, l.split())
    print(i, v * 2 + 1 if i < 1000 and v >= 0 else v)
EOF2
rows "$H" >"$T/got"
check "[ $rc -eq 0 ] && cmp -s '$T/got' '$T/want'" "update SET v = v * 2 + 1 WHERE ... ($out)"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(*) c, sum(id) s, sum(v) sv from read_parquet($(filelist "$H"))")
  w=$(awk '{c++; s+=$1; sv+=$2} END{printf "{\"c\":%d,\"s\":%d,\"sv\":%d}", c, s, sv}' "$T/want")
  check "[ '$r' = '$w' ]" "DuckDB reads the updated table: $r"
fi
for t in "$H" "$S"; do
  "$CLI" check "$t" >"$T/chk" 2>&1
  check "[ $? -eq 0 ]" "deltalake check after delete/upsert/update ($(tail -1 "$T/chk"))"
done
"$CLI" update "$H" --set "day = 'x'" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'partition column' '$T/err'" "update of a partition column is refused"
"$CLI" update "$H" --where 'id = 1' >/dev/null 2>&1; rc=$?
check "[ $rc -eq 2 ]" "update without --set is a usage error"

# ---- concurrency ----------------------------------------------------------------------
# deletes in the three partitions at once: disjoint, all commit
C="$T/c"
"$CLI" create "$C" --schema 'id long not null, day string, v long, name string' --partition-by day >/dev/null
"$CLI" write "$C" --input "$T/in.ndjson" >/dev/null
for d in 1 2 3; do "$CLI" delete "$C" --where "v < 500" --partition "day=2024-01-0$d" >"$T/cd$d.out" 2>"$T/cd$d.err" & done
wait
okn=0; for d in 1 2 3; do grep -q '"rows_deleted"' "$T/cd$d.out" && okn=$((okn+1)); done
rows "$C" >"$T/got"; expect "r['v'] < 500" >"$T/want"
check "[ $okn -eq 3 ] && cmp -s '$T/got' '$T/want'" "3 concurrent deletes in disjoint partitions all commit"
# upserts of one new key racing: each commits or fails with CONCURRENT_MODIFICATION, the key is there once
for k in 1 2 3 4; do printf '{"id":99999,"day":"2024-01-01","v":%d,"name":"race"}\n' $k | "$CLI" upsert "$C" --key id >"$T/cu$k.out" 2>"$T/cu$k.err" & done
wait
bad=0; for k in 1 2 3 4; do grep -q '"rows_upserted":1' "$T/cu$k.out" || grep -q CONCURRENT_MODIFICATION "$T/cu$k.err" || bad=$((bad+1)); done
n=$("$CLI" query "$C" --where 'id = 99999' --format jsonl | wc -l)
check "[ $bad -eq 0 ] && [ $n -eq 1 ]" "racing upserts of one key: committed or CONCURRENT_MODIFICATION, key present once ($n)"

exit $fail
