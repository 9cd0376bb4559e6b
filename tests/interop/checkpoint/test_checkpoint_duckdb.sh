#!/usr/bin/env bash
# Interop: checkpoints written by `deltalake checkpoint` (log/checkpoint_write.c)
# read by DuckDB (an independent Parquet reader): read_parquet() of the
# checkpoint holds exactly the live adds (path, size, partition values with
# nulls, stats, deletion vectors, dataChange=false), the tombstones, protocol
# and metaData that an independent replay of the JSON log (python, here)
# gives, on a partitioned, column-mapped table with deletion vectors;
# _last_checkpoint agrees. Then the JSON commits are moved away and our
# reader (and DuckDB's delta_scan, when its delta extension can be loaded)
# reads the same rows from the checkpoint alone.
set -u
CLI="$DLK_CLI"
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS="${DLK_PEERS:-$HERE/../../peers}"
T=$(mktemp -d /tmp/dlk_ckpt_duck.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
check() { if eval "$1"; then echo "ok   $2"; else echo "FAIL: $2"; fail=$((fail+1)); fi; }
if [ ! -d "$PEERS/node_modules/@duckdb/node-api" ]; then
  echo "SKIP: DuckDB peer not installed (run scripts/install-peers.sh); checkpoint interop SKIPPED"
  exit 0
fi
duck() { node "$PEERS/duckdb_query.mjs" "$@"; }

python3 - "$T" <<'PY'
import json, sys
with open(sys.argv[1] + "/in.ndjson", "w") as f:
    for i in range(3000):
        f.write(json.dumps({"id": i, "day": None if i % 7 == 0 else "2024-01-0%d" % (i % 3 + 1),
                            "v": (i * 2654435761) % 1000, "name": "n%d" % i}) + "\n")
PY
D="$T/t"
q() { "$CLI" query "$D" --select id,day,v,name --format jsonl | python3 -c "
import json,sys
for r in sorted((json.loads(l) for l in sys.stdin), key=lambda r: r['id']): print(json.dumps(r, sort_keys=True))"; }
"$CLI" create "$D" --schema 'id long not null, day string, v long, name string' --partition-by day \
  --property delta.columnMapping.mode=name --property delta.checkpointInterval=1000 >/dev/null
"$CLI" write "$D" --input "$T/in.ndjson" >/dev/null
"$CLI" write "$D" --input "$T/in.ndjson" >/dev/null
"$CLI" delete "$D" --where "v >= 900" --enable-dv >/dev/null
"$CLI" delete "$D" --where "day = '2024-01-01' AND v < 20" --hard >/dev/null
"$CLI" write "$D" --input "$T/in.ndjson" >/dev/null
q >"$T/before"
out=$("$CLI" checkpoint "$D"); rc=$?
check "[ $rc -eq 0 ] && [ '$out' = '{\"checkpoint_version\":5}' ]" "deltalake checkpoint writes version 5 ($out)"
CP="$D/_delta_log/00000000000000000005.checkpoint.parquet"
check "[ -f '$CP' ]" "checkpoint file exists"

# what DuckDB reads from the checkpoint, one JSON line a row
duck "SELECT add.path AS path, add.size AS size, to_json(add.partitionValues) AS pv, add.stats AS stats,
             add.dataChange AS dc, add.deletionVector.storageType AS dvt,
             add.deletionVector.pathOrInlineDv AS dvp, add.deletionVector.offset AS dvo,
             add.deletionVector.sizeInBytes AS dvs, add.deletionVector.cardinality AS dvc
      FROM read_parquet('$CP') WHERE add IS NOT NULL" >"$T/duck_adds"
duck "SELECT remove.path AS path, remove.deletionTimestamp AS ts, remove.dataChange AS dc,
             to_json(remove.partitionValues) AS pv, remove.size AS size,
             remove.deletionVector.pathOrInlineDv AS dvp, remove.deletionVector.offset AS dvo
      FROM read_parquet('$CP') WHERE remove IS NOT NULL" >"$T/duck_removes"
duck "SELECT count(*) FILTER (WHERE protocol IS NOT NULL) AS p, count(*) FILTER (WHERE metaData IS NOT NULL) AS m,
             max(protocol.minReaderVersion) AS r, max(protocol.minWriterVersion) AS w,
             max(metaData.id) AS id, max(metaData.schemaString) AS schema,
             to_json(max(metaData.partitionColumns)) AS pc, count(*) AS n
      FROM read_parquet('$CP')" >"$T/duck_meta"
res=$(python3 - "$D" "$T" <<'PY'
import json, os, re, sys
root, t = sys.argv[1], sys.argv[2]
log = os.path.join(root, "_delta_log")
adds, removes, proto, meta = {}, {}, None, None
for n in sorted(os.listdir(log)):
    if not re.fullmatch(r"\d{20}\.json", n): continue
    for line in open(os.path.join(log, n)):
        if not line.strip(): continue
        a = json.loads(line)
        if "protocol" in a: proto = a["protocol"]
        if "metaData" in a: meta = a["metaData"]
        for kind in ("add", "remove"):
            if kind in a:
                x = a[kind]
                dv = x.get("deletionVector")
                key = (x["path"], dv and dv["pathOrInlineDv"], dv and dv.get("offset"))
                if kind == "add":
                    adds[key] = x; removes.pop(key, None)
                else:
                    adds.pop(key, None); removes[key] = x
live = {k[0] for k in adds}
removes = {k: v for k, v in removes.items() if k[0] not in live}
errs = []
got = [json.loads(l) for l in open(t + "/duck_adds")]
if len(got) != len(adds): errs.append("adds: %d in the checkpoint, %d live" % (len(got), len(adds)))
want = {k[0]: x for k, x in adds.items()}
ndv = nnull = 0
for g in got:
    w = want.get(g["path"])
    if w is None: errs.append("unexpected add " + g["path"]); continue
    dv = w.get("deletionVector") or {}
    if g["size"] != w["size"] or json.loads(g["pv"]) != w["partitionValues"] or g["stats"] != w.get("stats") \
       or g["dc"] is not False or g["dvt"] != dv.get("storageType") or g["dvp"] != dv.get("pathOrInlineDv") \
       or g["dvo"] != dv.get("offset") or g["dvs"] != dv.get("sizeInBytes") or g["dvc"] != dv.get("cardinality"):
        errs.append("add differs: %s vs %s" % (g, w))
    ndv += bool(dv); nnull += None in w["partitionValues"].values()
got = [json.loads(l) for l in open(t + "/duck_removes")]
wantr = removes
if len(got) != len(wantr): errs.append("removes: %d in the checkpoint, %d tombstones" % (len(got), len(wantr)))
for g in got:
    w = wantr.get((g["path"], g["dvp"], g["dvo"]))
    if w is None or g["ts"] != w["deletionTimestamp"] or g["dc"] is not False or g["size"] != w.get("size") \
       or (g["pv"] and json.loads(g["pv"]) != w.get("partitionValues")):
        errs.append("remove differs: %s vs %s" % (g, w))
m = json.loads(open(t + "/duck_meta").read())
if (m["p"], m["m"], m["r"], m["w"], m["id"], m["schema"], json.loads(m["pc"])) != \
   (1, 1, proto["minReaderVersion"], proto["minWriterVersion"], meta["id"], meta["schemaString"], meta["partitionColumns"]):
    errs.append("protocol/metaData differ: %s" % m)
lc = json.load(open(log + "/_last_checkpoint"))
cp = log + "/00000000000000000005.checkpoint.parquet"
if lc != {"version": 5, "size": m["n"], "sizeInBytes": os.path.getsize(cp), "numOfAddFiles": len(adds)}:
    errs.append("_last_checkpoint: %s" % lc)
if ndv == 0 or nnull == 0 or not wantr: errs.append("the table lacks DVs / null partitions / tombstones (%d %d %d)" % (ndv, nnull, len(wantr)))
print("; ".join(errs) if errs else "OK %d adds (%d with DVs, %d null partitions), %d tombstones" % (len(adds), ndv, nnull, len(wantr)))
PY
)
check "[ \"\${res%% *}\" = OK ]" "DuckDB reads the checkpoint as the independent log replay says: $res"

# the checkpoint alone: JSON commits moved away
mkdir -p "$T/moved" && mv "$D"/_delta_log/0000000000000000000[0-4].json "$T/moved/"
q >"$T/after"
check "[ -s '$T/after' ] && cmp -s '$T/before' '$T/after'" "our reader gives the same rows from the checkpoint alone ($(wc -l <"$T/after") rows)"
if duck "INSTALL delta; LOAD delta; SELECT 1" >/dev/null 2>&1; then
  r=$(duck "LOAD delta; SELECT count(*) AS c, sum(id) AS s, sum(v) AS sv, count(day) AS d FROM delta_scan('$D')")
  w=$(python3 -c "
import json,sys
rs=[json.loads(l) for l in open('$T/before')]
print(json.dumps({'c':len(rs),'s':sum(r['id'] for r in rs),'sv':sum(r['v'] for r in rs),'d':sum(r['day'] is not None for r in rs)}, separators=(',',':')))")
  check "[ '$r' = '$w' ]" "DuckDB delta_scan reads the table from the checkpoint: $r"
else
  echo "SKIP: DuckDB's delta extension cannot be installed here (no extension download); delta_scan check SKIPPED"
fi
echo "checkpoint interop: $fail failure(s)"
[ $fail -eq 0 ]
