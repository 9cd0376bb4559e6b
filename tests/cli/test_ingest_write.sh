#!/usr/bin/env bash
# Write path through the CLI: create, append (NDJSON, CSV), partitions,
# stats, overwrite (whole and replace-where), idempotent txn, merge-schema,
# checkpoints, 8 concurrent writers, kill -9 during a write loop. Tables are
# checked by an independent log replay (delta_active_files.py) and, when the
# DuckDB peer is installed, by DuckDB reading the active files.
. "$(dirname "$0")/lib.sh"
T="$tmp"
use_duckdb_peer
summary() { python3 "$LOGPY" "$1" --summary; }
jget() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(eval('d'+sys.argv[2]))" "$1" "$2"; }

# ---- create + append with partitions, nested types, stats -----------------
A="$T/a"
out=$("$CLI" create "$A" --schema 'id long not null, name string, ts timestamp, region string, d decimal(10,2), s struct<x: int, `odd name`: string>, tags array<string>, m map<string,long>' --partition-by region --property delta.checkpointInterval=1000 2>&1); rc=$?
check "[ $rc -eq 0 ] && [ -f '$A/_delta_log/00000000000000000000.json' ]" "create writes version 0"
grep -q '"minReaderVersion":1,"minWriterVersion":2' "$A/_delta_log/00000000000000000000.json"
check "[ $? -eq 0 ]" "plain table has protocol 1/2"
"$CLI" create "$A" --schema 'id long' >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q ALREADY_EXISTS '$T/err'" "create over an existing table fails with ALREADY_EXISTS"
"$CLI" create "$A" --schema 'id long not null, name string, ts timestamp, region string, d decimal(10,2), s struct<x: int, `odd name`: string>, tags array<string>, m map<string,long>' --partition-by region --if-not-exists >/dev/null 2>&1
check "[ $? -eq 0 ]" "create --if-not-exists reuses the table"
"$CLI" create "$A" --schema 'id long' --if-not-exists >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'a table with another schema exists: column' '$T/err'" "create --if-not-exists over another schema names the difference"
cat >"$T/in1.ndjson" <<'EOF'
{"id":1,"name":"alpha","ts":"2024-01-01T10:00:00.123456Z","region":"eu","d":"1.25","s":{"x":1,"odd name":"q"},"tags":["a","b"],"m":{"k":1}}
{"id":2,"name":"beta","ts":"2024-01-02T00:00:00+02:00","region":"us west","d":2}
{"id":3,"region":null}
{"id":9223372036854775807,"name":"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz","region":"eu"}
EOF
out=$("$CLI" write "$A" --input "$T/in1.ndjson"); rc=$?
check "[ $rc -eq 0 ] && [ \"\$(jget '$out' '[\"version\"]')\" = 1 ] && [ \"\$(jget '$out' '[\"rows_written\"]')\" = 4 ]" "append commits version 1 with 4 rows"
check "[ -d '$A/region=eu' ] && [ -d '$A/region=us%20west' ] && [ -d '$A/region=__HIVE_DEFAULT_PARTITION__' ]" "hive partition directories (escaped, null default)"
check "ls '$A'/region=eu/ | grep -Eq '^part-[0-9]{5}-[0-9a-f-]{36}-c000\\.snappy\\.parquet$'" "data file names part-NNNNN-uuid-c000.snappy.parquet"
s=$(summary "$A"); rc=$?
check "[ $rc -eq 0 ] && [ \"\$(jget '$s' '[\"rows\"]')\" = 4 ] && [ \"\$(jget '$s' '[\"files\"]')\" = 3 ]" "log replay: 3 files, 4 rows, contiguous"
ci=$(head -1 "$A/_delta_log/00000000000000000001.json")
check "grep -q '\"operation\":\"WRITE\"' <<<'$ci' && grep -q '\"readVersion\":0' <<<'$ci' && grep -q '\"isBlindAppend\":true' <<<'$ci' && grep -q '\"numOutputRows\":\"4\"' <<<'$ci' && grep -q '\"engineInfo\":\"deltalake-connector/' <<<'$ci'" "commitInfo: operation, readVersion, isBlindAppend, metrics, engineInfo"
st=$(grep '"region":"eu"' "$A/_delta_log/00000000000000000001.json")
check "grep -q 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz{' <<<'$st' && grep -q '\\\\\"maxValues\\\\\":{\\\\\"id\\\\\":9223372036854775807' <<<'$st'" "stats: 32-char string max bumped, exact long max"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select id, name, ts, region, d, s, tags, m from read_parquet($(filelist "$A"), hive_partitioning=true) order by id")
  exp='{"id":1,"name":"alpha","ts":"2024-01-01T10:00:00.123456Z","region":"eu","d":"1.25","s":{"x":1,"odd name":"q"},"tags":["a","b"],"m":{"k":1}}
{"id":2,"name":"beta","ts":"2024-01-01T22:00:00.000000Z","region":"us west","d":"2.00","s":null,"tags":null,"m":null}
{"id":3,"name":null,"ts":null,"region":null,"d":null,"s":null,"tags":null,"m":null}
{"id":9223372036854775807,"name":"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz","region":"eu","d":null,"s":null,"tags":null,"m":null,"ts":null}'
  check "[ \"\$(python3 -c 'import json,sys; a=[json.loads(l) for l in sys.argv[1].splitlines()]; b=[json.loads(l) for l in sys.argv[2].splitlines()]; print(a==b)' '$r' '$exp')\" = True ]" "DuckDB reads the rows back (types, nesting, partitions)"
  # stats of every add agree with DuckDB over the file
  ok=$(python3 - "$A" "$PEERS" <<'EOF'
import json, os, subprocess, sys, urllib.parse, re
root, peers = sys.argv[1], sys.argv[2]
log = os.path.join(root, "_delta_log")
bad = 0
for n in sorted(os.listdir(log)):
    if not re.fullmatch(r"\d{20}\.json", n): continue
    for line in open(os.path.join(log, n)):
        a = json.loads(line)
        if "add" not in a: continue
        st = json.loads(a["add"]["stats"])
        f = os.path.join(root, urllib.parse.unquote(a["add"]["path"]))
        q = f"select count(*) c, min(id) mi, max(id) ma, count(*) - count(name) nn from read_parquet('{f}')"
        r = json.loads(subprocess.check_output(["node", os.path.join(peers, "duckdb_query.mjs"), q]).decode().splitlines()[0])
        if r["c"] != st["numRecords"] or r["mi"] != st["minValues"]["id"] or r["ma"] != st["maxValues"]["id"] or r["nn"] != st["nullCount"]["name"]:
            print("mismatch", f, r, st); bad += 1
print("OK" if bad == 0 else "BAD")
EOF
)
  check "[ \"\$(tail -1 <<<'$ok')\" = OK ]" "stats (numRecords, min/max, nullCount) match DuckDB per file"
fi

# ---- schema mismatch errors ------------------------------------------------
printf '{"id":5,"region":"eu"}\n{"id":"six","region":"eu"}\n' | "$CLI" write "$A" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"SCHEMA_MISMATCH: .*line 2: column 'id': expected long, got string\" '$T/err'" "wrong type: SCHEMA_MISMATCH naming line and column"
printf '{"name":"x"}\n' | "$CLI" write "$A" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"line 1: column 'id': expected long not null\" '$T/err'" "missing non-null field: SCHEMA_MISMATCH"
printf '{"id":1,"extra":1}\n' | "$CLI" write "$A" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"field 'extra' is not in the table schema\" '$T/err'" "unknown field rejected without --merge-schema"
check "[ \"\$(jget \"\$(summary '$A')\" '[\"versions\"]')\" = 2 ]" "failed writes commit nothing"

# ---- idempotent txn ----------------------------------------------------------
o1=$(printf '{"id":10,"region":"eu"}\n' | "$CLI" write "$A" --app-id job1 --app-version 7)
o2=$(printf '{"id":10,"region":"eu"}\n' | "$CLI" write "$A" --app-id job1 --app-version 7)
o3=$(printf '{"id":10,"region":"eu"}\n' | "$CLI" write "$A" --app-id job1 --app-version 6)
s=$(summary "$A")
check "[ \"\$(jget '$o1' '[\"skipped\"]')\" = False ] && [ \"\$(jget '$o2' '[\"skipped\"]')\" = True ] && [ \"\$(jget '$o3' '[\"skipped\"]')\" = True ] && [ \"\$(jget '$s' '[\"rows\"]')\" = 5 ] && [ \"\$(jget '$s' '[\"txns\"][\"job1\"]')\" = 7 ]" "idempotent replay (same or older app version) adds nothing"

# ---- overwrite -----------------------------------------------------------------
printf '{"id":100,"region":"eu"}\n{"id":101,"region":"eu"}\n' | "$CLI" write "$A" --mode overwrite --replace-where "region = 'eu'" >/dev/null; rc=$?
s=$(summary "$A")
check "[ $rc -eq 0 ] && [ \"\$(jget '$s' '[\"rows\"]')\" = 4 ]" "replace-where overwrites only the matching partition (2 new + us west + null)"
printf '{"id":102,"region":"us"}\n' | "$CLI" write "$A" --mode overwrite --replace-where "region = 'eu'" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q 'do not match the replace_where' '$T/err'" "rows outside replace-where are refused"
printf '{"id":200,"region":"x"}\n' | "$CLI" write "$A" --mode overwrite >/dev/null; rc=$?
s=$(summary "$A")
check "[ $rc -eq 0 ] && [ \"\$(jget '$s' '[\"rows\"]')\" = 1 ] && [ \"\$(jget '$s' '[\"files\"]')\" = 1 ]" "overwrite replaces the whole table"
grep -q '"remove":{' "$A/_delta_log/$(printf '%020d' $(( $(jget "$s" '["versions"]') - 1 ))).json"
check "[ $? -eq 0 ]" "overwrite commit carries remove actions"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(*) c, max(id) m from read_parquet($(filelist "$A"))")
  check "[ '$r' = '{\"c\":1,\"m\":200}' ]" "DuckDB over the active files after overwrite"
fi

# our own reader (snapshot) agrees with the independent log replay
ours() { # TABLE -> "version files" from deltalake describe, or "SKIP: reason"
  local o
  if o=$("$CLI" describe "$1" --format json 2>&1); then
    python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d['version'], d['num_files'])" "$o"
  else echo "SKIP: $o"; fi
}
indep() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d['versions']-1, d['files'])" "$(summary "$1")"; }
r=$(ours "$A")
check "[ \"$r\" = \"$(indep "$A")\" ]" "our snapshot reader agrees with the log replay (version, files)"

# ---- CSV and merge-schema ------------------------------------------------------
printf 'id,name,region\n300,"c, sv",eu\n301,,eu\n' | "$CLI" write "$A" --input-format csv >/dev/null; rc=$?
check "[ $rc -eq 0 ] && [ \"\$(jget \"\$(summary '$A')\" '[\"rows\"]')\" = 3 ]" "CSV input appends"
printf '{"id":400,"region":"eu","newcol":"2024-05-01T00:00:00Z","n2":5}\n' | "$CLI" write "$A" --merge-schema >/dev/null; rc=$?
last=$(ls "$A"/_delta_log/*.json | tail -1)
check "[ $rc -eq 0 ] && grep -q 'newcol' '$last' && grep -q '\"metaData\"' '$last'" "--merge-schema adds the new columns in a metaData action"
printf '{"id":401,"region":"eu","newcol":"2024-05-02T00:00:00Z"}\n' | "$CLI" write "$A" >/dev/null; rc=$?
check "[ $rc -eq 0 ]" "later writes use the merged schema"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select id, newcol, n2 from read_parquet($(filelist "$A"), union_by_name=true) where id >= 400 order by id")
  check "[ \"\$(head -1 <<<'$r')\" = '{\"id\":400,\"newcol\":\"2024-05-01T00:00:00.000000Z\",\"n2\":5}' ]" "merged columns readable by DuckDB"
fi

# ---- checkpoint --------------------------------------------------------------------
out=$("$CLI" checkpoint "$A"); rc=$?
v=$(jget "$out" '["checkpoint_version"]')
check "[ $rc -eq 0 ] && [ -f \"$A/_delta_log/\$(printf '%020d' $v).checkpoint.parquet\" ] && grep -q \"\\\"version\\\":$v\" '$A/_delta_log/_last_checkpoint'" "deltalake checkpoint writes the checkpoint and _last_checkpoint"
if [ $have_duck -eq 1 ]; then
  cp="$A/_delta_log/$(printf '%020d' $v).checkpoint.parquet"
  n=$(duck "select count(*) c from read_parquet('$cp') where add is not null")
  files=$(jget "$(summary "$A")" '["files"]')
  check "[ '$n' = '{\"c\":$files}' ]" "checkpoint holds one add per active file (DuckDB)"
  n=$(duck "select count(*) c from read_parquet('$cp') where metaData is not null or protocol is not null")
  check "[ '$n' = '{\"c\":2}' ]" "checkpoint holds protocol and metaData"
fi

# our reader loads the table from our checkpoint alone (earlier commits removed in a copy)
cp -r "$A" "$T/a_cp"
for f in "$T"/a_cp/_delta_log/*.json; do b=$(basename "$f" .json); [ "$((10#$b))" -le "$v" ] && rm "$f"; done
r=$(ours "$T/a_cp")
check "[ \"$r\" = \"$(indep "$A")\" ]" "our snapshot reader loads the table from our checkpoint alone"

# ---- timestamp_ntz needs table features -----------------------------------------------
"$CLI" create "$T/ntz" --schema 'a timestamp_ntz' >/dev/null
check "grep -q '\"minReaderVersion\":3,\"minWriterVersion\":7,\"readerFeatures\":\\[\"timestampNtz\"\\]' '$T/ntz/_delta_log/00000000000000000000.json'" "timestamp_ntz table gets reader 3 / writer 7 with timestampNtz"

# ---- Parquet input (our own data file of an unpartitioned table) ------------------------------
P1="$T/pq1"; P2="$T/pq2"
"$CLI" create "$P1" --schema 'id long not null, s string, m map<string,long>' >/dev/null
printf '{"id":1,"s":"a","m":{"k":1}}\n{"id":2}\n' | "$CLI" write "$P1" >/dev/null
"$CLI" create "$P2" --schema 'id long not null, s string, m map<string,long>' >/dev/null
out=$("$CLI" write "$P2" --input-format parquet --input "$(ls "$P1"/*.parquet | head -1)"); rc=$?
check "[ $rc -eq 0 ] && [ \"\$(jget '$out' '[\"rows_written\"]')\" = 2 ]" "--input-format parquet appends the file's rows"
"$CLI" create "$T/pq3" --schema 'id int' >/dev/null
"$CLI" write "$T/pq3" --input-format parquet --input "$(ls "$P1"/*.parquet | head -1)" >/dev/null 2>"$T/err"; rc=$?
check "[ $rc -eq 1 ] && grep -q \"column 'id': expected integer, got long\" '$T/err'" "parquet input with a different type: SCHEMA_MISMATCH"

# ---- hash bucketing partition strategy ------------------------------------------------------
H="$T/hb"
"$CLI" create "$H" --schema 'trace_id string, v long' --partition-by 'bucket(4, trace_id)' >/dev/null; rc=$?
for i in $(seq 1 40); do echo "{\"trace_id\":\"t$i\",\"v\":$i}"; done | "$CLI" write "$H" >/dev/null
printf 'trace_id,v\nt1,100\n' | "$CLI" write "$H" --input-format csv >/dev/null
nb=$(ls -d "$H"/trace_id_bucket=* | wc -l)
check "[ $rc -eq 0 ] && [ $nb -ge 2 ] && [ $nb -le 4 ] && grep -q 'deltalake.hashBucket.trace_id_bucket' '$H/_delta_log/00000000000000000000.json'" "bucket(4, trace_id) partitions rows into trace_id_bucket=0..3"
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(distinct trace_id_bucket) c, count(*) n from read_parquet($(filelist "$H"), hive_partitioning=true) where trace_id = 't1'")
  check "[ '$r' = '{\"c\":1,\"n\":2}' ]" "the same key lands in the same bucket from NDJSON and CSV"
fi

# ---- 8 concurrent writers --------------------------------------------------------------
C="$T/conc"
N=${DLK_CONC_COMMITS:-50}  # the issue's 8 x 50 = 400 commits (about 2 s on an idle 2-core box)
"$CLI" create "$C" --schema 'w int not null, i int not null' >/dev/null
for w in 1 2 3 4 5 6 7 8; do
  ( for i in $(seq 1 $N); do echo "{\"w\":$w,\"i\":$i}" | "$CLI" write "$C" >/dev/null || echo "writer $w commit $i failed"; done ) &
done 2>&1 | tee "$T/conc.log"
wait
s=$(summary "$C"); rc=$?
check "[ $rc -eq 0 ] && [ \"\$(jget '$s' '[\"versions\"]')\" = $((8*N+1)) ] && [ ! -s '$T/conc.log' ]" "8 writers x $N commits: versions 0..$((8*N)) contiguous, no failures"
if [ $((8*N)) -ge 100 ]; then
  check "[ -f \"$C/_delta_log/\$(printf '%020d' 100).checkpoint.parquet\" ]" "automatic checkpoint at version 100"
fi
if [ $have_duck -eq 1 ]; then
  r=$(duck "select count(*) c, count(distinct (w, i)) d from read_parquet($(filelist "$C"))")
  check "[ '$r' = '{\"c\":$((8*N)),\"d\":$((8*N))}' ]" "every row present exactly once (DuckDB)"
fi

r=$(ours "$C")
if [[ "$r" == SKIP* ]]; then echo "SKIP: our reader on the checkpointed table: $r"; else
  check "[ \"$r\" = \"$(indep "$C")\" ]" "our snapshot reader (from the checkpoint) agrees with the log replay"; fi

# ---- kill -9 during a write loop -----------------------------------------------------------
K="$T/kill"
"$CLI" create "$K" --schema 'i int not null, pad string' --property delta.checkpointInterval=5 >/dev/null
python3 -c "
import json
for i in range(20000): print(json.dumps({'i': i, 'pad': 'x' * (i % 50)}))" >"$T/big.ndjson"
for round in 1 2 3 4 5 6; do
  ( while true; do "$CLI" write "$K" --input "$T/big.ndjson" --batch-rows 2000 >/dev/null 2>&1; done ) &
  loop=$!
  sleep 0.$((RANDOM % 9 + 1))
  pkill -9 -P $loop 2>/dev/null; kill -9 $loop 2>/dev/null; wait $loop 2>/dev/null
done
s=$(summary "$K"); rc=$?
check "[ $rc -eq 0 ]" "after kill -9 rounds the log is contiguous and every active file exists with its size"
out=$(printf '{"i":-1}\n' | "$CLI" write "$K"); rc=$?
check "[ $rc -eq 0 ]" "the table still accepts writes after kills"
if [ $have_duck -eq 1 ]; then
  rows=$(jget "$(summary "$K")" '["rows"]')
  r=$(duck "select count(*) c from read_parquet($(filelist "$K"))")
  check "[ '$r' = '{\"c\":$rows}' ]" "DuckDB reads every active file after kills ($rows rows)"
fi

if [ $fail -ne 0 ]; then echo "$fail failed"; exit 1; fi
echo "all passed"
