#!/usr/bin/env bash
# bench/checkpoint.sh - time `deltalake checkpoint` on tables with many files:
#   gen  a generated log-only table (data files not written): FILES adds in
#        COMMITS commits, partitioned by a string column (one null partition
#        value in ten), each add with a JSON stats string, a tenth of them
#        later removed (tombstones);
#   300k the log-only 300k-file partitioned table of tests/data (no stats).
# Each case is run RUNS times (the checkpoint and _last_checkpoint removed
# between runs); the best and median wall times are printed.
#
#   bench/checkpoint.sh [--files N] [--runs R] [--bin PATH] [--dir DIR]
# Defaults: 100000 files, 3 runs, build/deltalake, /tmp/dlk-bench-ckpt.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FILES=100000
RUNS=3
BIN=$ROOT/build/deltalake
DIR=/tmp/dlk-bench-ckpt
COMMITS=10
while [ $# -gt 0 ]; do
  case "$1" in
    --files) FILES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    *) echo "usage: $0 [--files N] [--runs R] [--bin PATH] [--dir DIR]" >&2; exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "checkpoint bench: $BIN not built" >&2; exit 1; }
mkdir -p "$DIR"

gen_table() { # dir files commits
  python3 - "$1" "$2" "$3" <<'EOF'
import json, os, sys
root, files, commits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
log = os.path.join(root, "_delta_log")
os.makedirs(log, exist_ok=True)
schema = {"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "name", "type": "string", "nullable": True, "metadata": {}},
    {"name": "p", "type": "string", "nullable": True, "metadata": {}}]}
per = (files + commits - 1) // commits
n = 0
for v in range(commits + 1):
    with open(os.path.join(log, "%020d.json" % v), "w") as f:
        f.write(json.dumps({"commitInfo": {"timestamp": 1700000000000 + v, "operation": "WRITE"}}) + "\n")
        if v == 0:
            f.write(json.dumps({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}) + "\n")
            f.write(json.dumps({"metaData": {"id": "bench", "format": {"provider": "parquet", "options": {}},
                "schemaString": json.dumps(schema), "partitionColumns": ["p"],
                "configuration": {"delta.checkpointInterval": "1000000"}, "createdTime": 1700000000000}}) + "\n")
            continue
        for _ in range(per):
            if n >= files: break
            p = None if n % 10 == 0 else "p%d" % (n % 97)
            stats = {"numRecords": 1000, "minValues": {"id": n * 1000, "name": "a%08d" % n},
                     "maxValues": {"id": n * 1000 + 999, "name": "z%08d" % n}, "nullCount": {"id": 0, "name": 3}}
            path = ("p=__HIVE_DEFAULT_PARTITION__" if p is None else "p=" + p) + "/part-%08d.parquet" % n
            f.write(json.dumps({"add": {"path": path, "partitionValues": {"p": p}, "size": 4096 + n,
                "modificationTime": 1700000000000 + n, "dataChange": True, "stats": json.dumps(stats)}}) + "\n")
            n += 1
        if v == commits:  # remove a tenth of the files: tombstones (not expired)
            for k in range(0, files, 10):
                p = None if k % 10 == 0 else "p%d" % (k % 97)
                path = ("p=__HIVE_DEFAULT_PARTITION__" if p is None else "p=" + p) + "/part-%08d.parquet" % k
                f.write(json.dumps({"remove": {"path": path, "deletionTimestamp": 4102444800000,
                    "dataChange": True, "extendedFileMetadata": True, "partitionValues": {"p": p},
                    "size": 4096 + k}}) + "\n")
EOF
}

time_case() { # name table
  local name=$1 t=$2 times=()
  for _ in $(seq "$RUNS"); do
    rm -f "$t"/_delta_log/*.checkpoint.parquet "$t/_delta_log/_last_checkpoint"
    local s e
    s=$(date +%s%N)
    "$BIN" checkpoint "$t" >/dev/null
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  local best med
  best=$(echo "$sorted" | head -1)
  med=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
  local size
  size=$(stat -c %s "$t"/_delta_log/*.checkpoint.parquet)
  printf '%-6s files=%-7s best=%6s ms  median=%6s ms  checkpoint=%s bytes  (runs: %s)\n' \
    "$name" "$3" "$best" "$med" "$size" "${times[*]}"
}

G=$DIR/gen-$FILES
if [ ! -f "$G/_delta_log/$(printf '%020d' $COMMITS).json" ]; then
  rm -rf "$G"
  gen_table "$G" "$FILES" "$COMMITS"
fi
time_case gen "$G" "$FILES"

K=$DIR/300k-add-files-100-col-partitioned
if [ ! -d "$K" ]; then
  tar --zstd -xf "$ROOT/tests/data/delta/kernel/300k-add-files-100-col-partitioned.tar.zst" -C "$DIR"
fi
time_case 300k "$K" 300000
