#!/usr/bin/env bash
# tests/interop/s3/test_s3_cli.sh - `deltalake query/describe/history/stats/
# check` on s3://bucket/prefix tables served by the s3rver peer give byte for
# byte the output of the same table read from the local folder. Tables: one
# written here by the CLI (several commits, a checkpoint, a DV delete, a
# partition), kernel tables with deletion vectors, a checkpoint and Hive
# partition folders, and a golden table with DVs + checkpoint + partitions.
# Files are uploaded with curl (SigV4), independently of the code under test.
# Also: writes to s3:// fail cleanly with UNSUPPORTED. Skips loudly when the
# s3rver peer (scripts/install-peers.sh) or node/curl are missing.
set -uo pipefail
CLI=${DLK_CLI:?}
SRC=${DLK_SOURCE_DIR:?}
. "$SRC/tests/testdata.sh"
TD=$(testdata delta) && TD=${TD%/delta} || exit 1
PEERS=${DLK_PEERS:-$SRC/tests/peers}
if [ ! -f "$PEERS/node_modules/s3rver/package.json" ] || ! command -v node >/dev/null ||
   ! command -v curl >/dev/null || ! command -v jq >/dev/null; then
  echo "SKIP: s3rver peer (or node/curl/jq) not installed; S3 CLI tests are NOT run" >&2
  exit 0
fi

W=$(mktemp -d /tmp/dlk-s3cli-XXXXXX)
SRV_PID=
cleanup() {
  if [ -n "$SRV_PID" ]; then kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null; fi
  rm -rf "$W"
}
trap cleanup EXIT

node --openssl-legacy-provider "$SRC/tests/interop/s3/s3rver_launch.mjs" "$W/srv" bkt \
  >"$W/port" 2>"$W/srv.err" </dev/null &
SRV_PID=$!
for _ in $(seq 1 150); do
  grep -q '^port=' "$W/port" 2>/dev/null && break
  sleep 0.2
done
PORT=$(sed -n 's/^port=//p' "$W/port")
if [ -z "$PORT" ]; then
  echo "FAIL: s3rver did not start: $(cat "$W/srv.err")" >&2
  exit 1
fi
EP="http://127.0.0.1:$PORT"
export DELTALAKE_S3_ENDPOINT=$EP AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# upload every file of folder $1 under key prefix $2 (path-style, SigV4 by curl)
upload() {
  local dir=$1 prefix=$2 f enc n=0
  while IFS= read -r -d '' f; do
    f=${f#./}
    enc=$(jq -rn --arg s "$prefix/$f" '$s|split("/")|map(@uri)|join("/")')
    curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER \
      -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$dir/$f" "$EP/bkt/$enc" >/dev/null ||
      { fail "upload $dir/$f"; return 1; }
    n=$((n + 1))
  done < <(cd "$dir" && find . -type f -print0)
  echo "uploaded $n files of $dir to s3://bkt/$prefix"
}

# compare CLI output on the local folder and on s3://bkt/$2
compare() {
  local dir=$1 uri=s3://bkt/$2; shift 2
  local args
  # commit timestamps without inCommitTimestamp are file mtimes: S3 has the
  # upload time there, so "timestamp" fields are dropped before comparing
  for args in "query --format jsonl" "query --format csv --limit 3" "describe --format json" \
    "history --format jsonl" "stats --format jsonl" "$@"; do
    local -a a
    read -ra a <<<"$args"
    "$CLI" "${a[0]}" "$dir" "${a[@]:1}" >"$W/l.out" 2>"$W/l.err"
    local lrc=$?
    "$CLI" "${a[0]}" "$uri" "${a[@]:1}" >"$W/r.out" 2>"$W/r.err"
    local rrc=$?
    sed -i "s#$uri#$dir#g" "$W/r.out"
    if [ "${a[0]}" = describe ] || [ "${a[0]}" = history ]; then
      for f in l r; do jq -c 'del(.timestamp)' "$W/$f.out" >"$W/$f.j" && mv "$W/$f.j" "$W/$f.out"; done
    fi
    if [ $lrc -ne $rrc ]; then
      fail "$args on $uri: exit $rrc, local $lrc ($(head -c 300 "$W/r.err"))"
    elif ! cmp -s "$W/l.out" "$W/r.out"; then
      fail "$args on $uri differs from the local table:"
      diff "$W/l.out" "$W/r.out" | head -10 >&2
    elif [ $lrc -ne 0 ]; then
      fail "$args failed on both ($(head -c 300 "$W/l.err"))"
    fi
  done
  "$CLI" check "$uri" >"$W/c.out" 2>&1 || fail "check $uri: $(cat "$W/c.out")"
  echo "compared $uri with $dir"
}

# 1. a table written here: 3 commits, a partition, a checkpoint, a DV delete
T1=$W/t1
"$CLI" create "$T1" --schema 'id long, svc string, v double' --partition-by svc \
  --property delta.enableDeletionVectors=true >/dev/null || fail "create"
printf '{"id":%d,"svc":"web","v":%d.5}\n' 1 1 2 2 3 3 | "$CLI" write "$T1" >/dev/null || fail write1
printf '{"id":%d,"svc":"db &x=1","v":%d.25}\n' 4 4 5 5 | "$CLI" write "$T1" >/dev/null || fail write2
"$CLI" checkpoint "$T1" >/dev/null || fail checkpoint
"$CLI" delete "$T1" --where 'id = 2' >/dev/null || fail delete
upload "$T1" tables/t1
compare "$T1" tables/t1 "query --version 1 --format jsonl" "query --where id>=3 --format jsonl"
# with a trailing slash and the s3a scheme: the same table
"$CLI" query s3a://bkt/tables/t1/ --format jsonl >"$W/a.out" 2>&1 || fail "s3a:// query: $(cat "$W/a.out")"
"$CLI" query "$T1" --format jsonl | cmp -s - "$W/a.out" || fail "s3a://bkt/tables/t1/ differs"

# 2. kernel tables: deletion vectors, checkpoint, partition folders
for t in table-with-dv-small v1-multi-part-struct-stats-only app-txn-checkpoint basic_partitioned; do
  if [ -d "$TD/delta/kernel/$t" ]; then
    upload "$TD/delta/kernel/$t" "kernel/$t"
    compare "$TD/delta/kernel/$t" "kernel/$t"
  else
    fail "testdata $TD/delta/kernel/$t missing"
  fi
done

# 3. a golden table: deletion vectors + checkpoint + partitions
G=$TD/delta/golden/dv-partitioned-with-checkpoint.tar.zst
if [ -f "$G" ]; then
  mkdir -p "$W/g" && tar --zstd -xf "$G" -C "$W/g" || fail "untar $G"
  GT=$(dirname "$(find "$W/g" -type d -name _delta_log | head -1)")
  upload "$GT" golden/dvpc
  compare "$GT" golden/dvpc
else
  fail "testdata $G missing"
fi

# 4. writes to s3:// are refused cleanly (the write path is local only)
for cmd in "write" "delete --all" "update --set v=1" "checkpoint" "optimize" "vacuum" \
  "create --schema x:long" "restore --version 0"; do
  read -ra a <<<"$cmd"
  a=("${a[@]//:/ }")
  echo '{"id":9,"svc":"web","v":1}' | "$CLI" "${a[0]}" s3://bkt/tables/t1 "${a[@]:1}" >"$W/w.out" 2>&1
  rc=$?
  if [ $rc -ne 1 ] || ! grep -q UNSUPPORTED "$W/w.out"; then
    fail "$cmd on s3:// should fail with UNSUPPORTED (exit $rc: $(head -c 300 "$W/w.out"))"
  fi
done
# ... and nothing changed in the bucket's copy
"$CLI" query s3://bkt/tables/t1 --format jsonl >"$W/after.out" 2>&1
"$CLI" query "$T1" --format jsonl | cmp -s - "$W/after.out" || fail "s3 table changed by a refused write"
[ ! -e "s3:" ] || fail "a refused write created a local folder 's3:'"

# 5. errors: a missing table and a missing bucket
"$CLI" query s3://bkt/nothere >/dev/null 2>"$W/e.out"
[ $? -eq 1 ] && grep -q "NOT_FOUND" "$W/e.out" || fail "missing s3 table: $(cat "$W/e.out")"
"$CLI" query s3://nobucket/t >/dev/null 2>"$W/e.out"
[ $? -eq 1 ] && grep -q "NoSuchBucket" "$W/e.out" || fail "missing bucket: $(cat "$W/e.out")"

if [ $fails -ne 0 ]; then
  echo "$fails failure(s)" >&2
  exit 1
fi
echo "all S3 CLI checks passed"
