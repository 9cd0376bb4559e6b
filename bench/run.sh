#!/usr/bin/env bash
# bench/run.sh - the benchmark suite (`make bench`): every case for our CLI
# (build/deltalake) and for DuckDB (@duckdb/node-api, 1 thread and all
# threads) on the same generated data, then a table and bench/results/latest.json.
#
# Options (environment or flags):
#   BENCH_ROWS    --rows N        rows of generated spans (default 1000000)
#   BENCH_CASES   --cases LIST    comma list of case names or numbers (default all):
#                 1 ingest, 2 scan, 3 filter, 4 lookup, 5 groupby, 6 upsert,
#                 7 delete, 8 snapshot, 9 commits, 10 optimize, 11 pipeline
#                 (pipeline: library NDJSON -> Arrow -> one Parquet file, no Delta),
#                 12 pqwrite (the Parquet writer alone: rows in memory -> one file)
#   BENCH_DIR     --dir DIR       scratch directory (default /tmp/dlk-bench)
#   BENCH_TIMEOUT --timeout S     per-measurement timeout in seconds (default 300)
#   BENCH_COMMITS --commits N     small commits/files for cases 9/10 (default 1000)
#   BENCH_CLI_COMMITS             of which through the CLI (default 200; the rest
#                                 through the library, bench/commit_driver)
#   BENCH_LOG_COMMITS             commits of the generated log for case 8 (default 10000)
#   BENCH_THREADS                 DuckDB "all threads" (default nproc)
#   BENCH_BUILD                   build directory (default build)
#   BENCH_OUT     --out FILE      results JSON (default bench/results/latest.json)
# A failing or timed-out case is reported and the others still run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${BENCH_ROWS:-1000000}
CASES=${BENCH_CASES:-all}
DIR=${BENCH_DIR:-/tmp/dlk-bench}
TIMEOUT=${BENCH_TIMEOUT:-300}
COMMITS=${BENCH_COMMITS:-1000}
LOG_COMMITS=${BENCH_LOG_COMMITS:-10000}
THREADS=${BENCH_THREADS:-$(nproc)}
BUILD=${BENCH_BUILD:-$ROOT/build}
OUT=${BENCH_OUT:-$ROOT/bench/results/latest.json}
SEED=42

while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --commits) COMMITS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done

CLI=$BUILD/deltalake
GEN=$BUILD/bench/gen_spans
RSS=$BUILD/bench/rss_exec
GENLOG=$BUILD/bench/gen_commit_log
DUCK="node $ROOT/bench/duckdb_cases.mjs"
for t in "$CLI" "$GEN" "$RSS" "$GENLOG"; do
  [ -x "$t" ] || { echo "bench: $t missing: build first (make build)" >&2; exit 1; }
done
HAVE_DUCK=1
[ -d "$ROOT/tests/peers/node_modules/@duckdb/node-api" ] || {
  HAVE_DUCK=0
  echo "bench: WARNING: DuckDB peer not installed (bash scripts/install-peers.sh): DuckDB columns will be n/a" >&2
}

ALL=(ingest scan filter lookup groupby upsert delete snapshot commits optimize pipeline pqwrite)
want() { # want NAME -> 0 if the case is selected
  [ "$CASES" = all ] && return 0
  local n=$1 i
  for i in "${!ALL[@]}"; do [ "${ALL[$i]}" = "$n" ] && break; done
  case ",$CASES," in *",$n,"*|*",$((i + 1)),"*) return 0 ;; esac
  return 1
}

mkdir -p "$DIR"
RES=$DIR/results.jsonl
: >"$RES"
LOGS=$DIR/logs
mkdir -p "$LOGS"
DATA=$DIR/spans-$ROWS-$SEED.ndjson
TABLE=$DIR/ours/spans
DUCK1=$DIR/duck/spans-t1
DUCKN=$DIR/duck/spans-tn
SCHEMA=$("$GEN" --schema)
SERVICE=checkout           # the filter case: service_name = 'checkout' AND status_code = 500
LOOKUP_ID=$((ROWS * 3 / 4 + 17))

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
file_bytes() { du -cb "$@" 2>/dev/null | tail -1 | cut -f1; }
table_files() { find "$1" -name '*.parquet' -not -path '*/_delta_log/*' | sort; }

# record JSON-FRAGMENT: one line of results.jsonl
record() { printf '%s\n' "$1" >>"$RES"; }

# ours CASE LABEL ROWS BYTES -- CMD...: time one of our commands.
# Status: ok | not_built (the CLI said "not implemented") | timeout | failed.
ours() {
  local kase=$1 label=$2 rows=$3 bytes=$4; shift 5
  local tag=$LOGS/ours-$kase-$label m status load
  load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo null)
  rm -f "$tag.json"
  "$RSS" --timeout "$TIMEOUT" --json "$tag.json" --stdout "$tag.out" -- "$@" 2>"$tag.err"
  local rc=$?
  m=$(cat "$tag.json" 2>/dev/null || echo '{}')
  if [ $rc -eq 0 ]; then status=ok
  elif grep -q 'not implemented\|unknown option' "$tag.err"; then status=not_built
  elif [ $rc -eq 124 ]; then status=timeout
  else status=failed; fi
  local err
  err=$(head -c 300 "$tag.err" | jq -Rs .)
  local lines
  lines=$(wc -l <"$tag.out" 2>/dev/null || echo 0)
  record "{\"engine\":\"ours\",\"case\":\"$kase\",\"label\":\"$label\",\"status\":\"$status\",\"rows\":$rows,\"bytes\":$bytes,\"out_lines\":$lines,\"load1_before\":$load,\"measure\":$m,\"stderr\":$err}"
  log "ours $kase/$label: $status $(jq -r '.wall_s // empty' <<<"$m")s"
  [ $status = ok ]
}

# op_info CASE: the JSON our command printed (counts) as an info record
op_info() {
  local j
  j=$(tail -1 "$LOGS/ours-$1-main.out" 2>/dev/null)
  jq -e . >/dev/null 2>&1 <<<"$j" && record "$(jq -c --arg c "$1" '{engine: "ours", case: $c, label: "info", status: "info", out: .}' <<<"$j")"
  return 0
}

# has_opt SUBCMD OPTION: our CLI's --help of SUBCMD mentions OPTION
has_opt() { "$CLI" "$1" --help 2>&1 | grep -q -- "$2"; }
# not_built CASE LABEL WHY: record a case our CLI cannot run yet
not_built() {
  record "{\"engine\":\"ours\",\"case\":\"$1\",\"label\":\"$2\",\"status\":\"not_built\",\"rows\":0,\"bytes\":0,\"stderr\":\"$3\"}"
  log "ours $1/$2: not built ($3)"
}

# duck CASE THREADS ARGS...: DuckDB side (in-engine seconds + process RSS)
duck() {
  local kase=$1 threads=$2; shift 2
  if [ $HAVE_DUCK = 0 ]; then
    record "{\"engine\":\"duckdb\",\"case\":\"$kase\",\"threads\":$threads,\"status\":\"n/a\",\"reason\":\"DuckDB peer not installed\"}"
    return 1
  fi
  local tag=$LOGS/duck-$kase-t$threads load
  load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo null)
  rm -f "$tag.json"
  "$RSS" --timeout "$TIMEOUT" --json "$tag.json" --stdout "$tag.out" -- $DUCK "$kase" --threads "$threads" "$@" 2>"$tag.err"
  local rc=$? line m
  m=$(cat "$tag.json" 2>/dev/null || echo '{}')
  line=$(tail -1 "$tag.out" 2>/dev/null)
  if ! jq -e . >/dev/null 2>&1 <<<"$line"; then
    local st=failed
    [ $rc -eq 124 ] && st=timeout
    line="{\"engine\":\"duckdb\",\"case\":\"$kase\",\"threads\":$threads,\"status\":\"$st\",\"reason\":$(head -c 300 "$tag.err" | jq -Rs .)}"
  fi
  record "$(jq -c --argjson m "$m" --argjson l "$load" '. + {measure: $m, load1_before: $l}' <<<"$line")"
  log "duckdb $kase t$threads: $(jq -r '"\(.status) \(.seconds // "")s"' <<<"$line")"
}

# ---------------------------------------------------------------- data
if [ ! -s "$DATA" ]; then
  log "generating $ROWS spans -> $DATA"
  "$GEN" --rows "$ROWS" --seed $SEED --out "$DATA.tmp" && mv "$DATA.tmp" "$DATA" || { log "generator failed"; exit 1; }
fi
DATA_BYTES=$(file_bytes "$DATA")
UPSERT=$DIR/upsert-10k-$ROWS.ndjson   # 10k keys: 5k existing ids (updated), 5k new
[ -s "$UPSERT" ] || "$GEN" --rows 10000 --seed 7 --start-id $((ROWS - 4999)) --out "$UPSERT"
SMALL=$DIR/small-10.ndjson      # one small commit's records
[ -s "$SMALL" ] || "$GEN" --rows 10 --seed 9 --out "$SMALL"

# ---------------------------------------------------------------- (1) ingest
# Our table: create + write (only the write is timed). It is also needed by
# later cases, so it is built (untimed) when `ingest` is not selected.
ingest_ours() {
  rm -rf "$DIR/ours" && mkdir -p "$DIR/ours"
  # deletion vectors enabled: delete (7) and upsert (6) mark rows in DVs instead of rewriting files
  if ! "$CLI" create "$TABLE" --schema "$SCHEMA" --partition-by date,service_name \
    --property delta.enableDeletionVectors=true >"$LOGS/ours-create.out" 2>"$LOGS/ours-create.err"; then
    if grep -q 'not implemented' "$LOGS/ours-create.err"; then
      record "{\"engine\":\"ours\",\"case\":\"ingest\",\"label\":\"main\",\"status\":\"not_built\",\"rows\":$ROWS,\"bytes\":$DATA_BYTES,\"stderr\":\"create: not implemented\"}"
    else
      record "{\"engine\":\"ours\",\"case\":\"ingest\",\"label\":\"main\",\"status\":\"failed\",\"rows\":$ROWS,\"bytes\":$DATA_BYTES,\"stderr\":$(head -c 300 "$LOGS/ours-create.err" | jq -Rs .)}"
    fi
    log "ours create failed: $(head -c 200 "$LOGS/ours-create.err")"
    rm -rf "$TABLE"
    return 1
  fi
  ours ingest main "$ROWS" "$DATA_BYTES" -- "$CLI" write "$TABLE" --input "$DATA" || { rm -rf "$TABLE"; return 1; }
  echo "$ROWS $SEED" >"$DIR/ours/.stamp"
}
if want ingest; then
  ingest_ours
  # the same write with the records parsed and converted on THREADS threads
  # (write --threads), beside DuckDB with THREADS threads
  if [ "$THREADS" -gt 1 ] && [ -d "$TABLE/_delta_log" ] && has_opt write --threads; then
    TT=$DIR/ours/spans-threads
    rm -rf "$TT"
    if "$CLI" create "$TT" --schema "$SCHEMA" --partition-by date,service_name \
      --property delta.enableDeletionVectors=true >/dev/null 2>&1; then
      ours ingest threads "$ROWS" "$DATA_BYTES" -- "$CLI" write "$TT" --input "$DATA" --threads "$THREADS"
    fi
    rm -rf "$TT"
  fi
  rm -rf "$DIR/duck" && mkdir -p "$DIR/duck"
  duck ingest 1 --input "$DATA" --out "$DUCK1"
  [ "$THREADS" -gt 1 ] && duck ingest "$THREADS" --input "$DATA" --out "$DUCKN"
else
  if [ "$(cat "$DIR/ours/.stamp" 2>/dev/null)" != "$ROWS $SEED" ]; then
    log "setup: building our table (ingest not selected)"
    ingest_ours
    : >"$RES"
  fi
  if [ ! -d "$DUCK1" ] && [ $HAVE_DUCK = 1 ]; then
    mkdir -p "$DIR/duck" && $DUCK ingest --threads "$THREADS" --input "$DATA" --out "$DUCK1" >/dev/null
  fi
fi

# The Parquet files the read cases use: our table's data files (DuckDB reads
# exactly them), or DuckDB's own output when our table could not be written.
FILES=$DIR/files.txt
if [ -d "$TABLE/_delta_log" ]; then
  table_files "$TABLE" >"$FILES"; FILES_FROM=ours
else
  table_files "$DUCK1" >"$FILES"; FILES_FROM=duckdb
fi
TABLE_BYTES=$(file_bytes $(cat "$FILES") 2>/dev/null || echo 0)
[ -n "$TABLE_BYTES" ] || TABLE_BYTES=0
log "read cases use $(wc -l <"$FILES") Parquet files written by $FILES_FROM ($TABLE_BYTES bytes)"

both_duck() { # both_duck CASE ARGS...: DuckDB single thread and all threads
  local kase=$1; shift
  duck "$kase" 1 "$@"
  [ "$THREADS" -gt 1 ] && duck "$kase" "$THREADS" "$@"
  return 0
}

# ---------------------------------------------------------------- (2) scan
if want scan; then
  if "$CLI" query --help 2>&1 | grep -q -- '--count'; then
    ours scan main "$ROWS" "$TABLE_BYTES" -- "$CLI" query "$TABLE" --count
  else
    ours scan main "$ROWS" "$TABLE_BYTES" -- "$CLI" query "$TABLE" --select id --format csv
  fi
  both_duck scan --files "$FILES"
fi

# ---------------------------------------------------------------- (3) filter
if want filter; then
  if has_opt query --where; then
    ours filter main "$ROWS" "$TABLE_BYTES" -- "$CLI" query "$TABLE" --select id,timestamp,operation,duration_ms \
      --where "service_name = '$SERVICE' AND status_code = 500" --format jsonl
  else
    not_built filter main "query --where not built yet"
  fi
  both_duck filter --files "$FILES" --service "$SERVICE"
fi

# ---------------------------------------------------------------- (4) lookup
if want lookup; then
  LT=$TABLE
  if [ -d "$TABLE/_delta_log" ]; then
    # Z-order a copy of the table by id (timed as its own row), then look up
    rm -rf "$DIR/ours/zorder" && cp -a "$TABLE" "$DIR/ours/zorder"
    if has_opt optimize --zorder && ours lookup zorder "$ROWS" "$TABLE_BYTES" -- "$CLI" optimize "$DIR/ours/zorder" --zorder id; then
      LT=$DIR/ours/zorder
    fi
    # files whose add stats [min,max] of id contain the key: what a reader must open
    # (log replay of the JSON commits: adds minus removes; the table has no checkpoint at this size)
    cand=$(jq -n -c --argjson id "$LOOKUP_ID" 'reduce inputs as $a ({};
          if $a.add then .[$a.add.path] = ($a.add.stats // "{}") elif $a.remove then del(.[$a.remove.path]) else . end)
        | {live_files: length, candidate_files: ([.[] | fromjson
        | select(.minValues.id != null and .minValues.id <= $id and .maxValues.id >= $id)] | length)}' \
        "$LT"/_delta_log/*.json 2>/dev/null) || cand='{}'
    [ -n "$cand" ] || cand='{}'
    record "$(jq -c --argjson z "$([ "$LT" = "$TABLE" ] && echo false || echo true)" \
      '{engine: "ours", case: "lookup", label: "files", status: "info", zordered: $z} + .' <<<"$cand")"
  fi
  if has_opt query --where; then
    ours lookup main 1 "$TABLE_BYTES" -- "$CLI" query "$LT" --where "id = $LOOKUP_ID" --format jsonl
  else
    not_built lookup main "query --where not built yet"
  fi
  both_duck lookup --files "$FILES" --id "$LOOKUP_ID"
fi

# ---------------------------------------------------------------- (5) groupby
if want groupby; then
  # computed from a scan: our CLI's projection piped to awk
  ours groupby main "$ROWS" "$TABLE_BYTES" -- bash -c "set -o pipefail; '$CLI' query '$TABLE' --select service_name,duration_ms --format csv \
    | awk -F, 'NR>1 { n[\$1]++; s[\$1]+=\$2; if (!(\$1 in m) || \$2+0>m[\$1]) m[\$1]=\$2+0 } END { for (k in n) print k, n[k], s[k]/n[k], m[k] }'"
  both_duck groupby --files "$FILES"
fi

# ---------------------------------------------------------------- (6) upsert
if want upsert; then
  rm -rf "$DIR/ours/upsert" "$DIR/duck/upsert-"*
  [ -d "$TABLE" ] && cp -a "$TABLE" "$DIR/ours/upsert"
  ours upsert main 10000 "$(file_bytes "$UPSERT")" -- "$CLI" upsert "$DIR/ours/upsert" --key id --input "$UPSERT" &&
    op_info upsert
  duck upsert 1 --files "$FILES" --upsert "$UPSERT" --out "$DIR/duck/upsert-t1"
  [ "$THREADS" -gt 1 ] && duck upsert "$THREADS" --files "$FILES" --upsert "$UPSERT" --out "$DIR/duck/upsert-tn"
  rm -rf "$DIR/ours/upsert" "$DIR/duck/upsert-"*
fi

# ---------------------------------------------------------------- (7) delete
if want delete; then
  rm -rf "$DIR/ours/delete" "$DIR/duck/delete-"*
  [ -d "$TABLE" ] && cp -a "$TABLE" "$DIR/ours/delete"
  ours delete main "$ROWS" "$TABLE_BYTES" -- "$CLI" delete "$DIR/ours/delete" --where "status_code = 404" &&
    op_info delete
  duck delete 1 --files "$FILES" --out "$DIR/duck/delete-t1"
  [ "$THREADS" -gt 1 ] && duck delete "$THREADS" --files "$FILES" --out "$DIR/duck/delete-tn"
  rm -rf "$DIR/ours/delete" "$DIR/duck/delete-"*
fi

# ---------------------------------------------------------------- (8) snapshot
if want snapshot; then
  BIG=$DIR/snap/300k-add-files-100-col-partitioned
  TARBALL=${DLK_TESTDATA:-$ROOT/tests/data}/delta/kernel/300k-add-files-100-col-partitioned.tar.zst
  if [ ! -d "$BIG" ]; then
    mkdir -p "$DIR/snap/unpack" && tar --zstd -xf "$TARBALL" -C "$DIR/snap/unpack" \
      && mv "$(dirname "$(find "$DIR/snap/unpack" -type d -name _delta_log | head -1)")" "$BIG"
    rm -rf "$DIR/snap/unpack"
  fi
  LOG10K=$DIR/snap/log-$LOG_COMMITS
  [ -d "$LOG10K/_delta_log" ] || "$GENLOG" --dir "$LOG10K" --commits "$LOG_COMMITS"
  ours snapshot 300k-files 0 "$(file_bytes "$BIG/_delta_log")" -- "$CLI" describe "$BIG" --format json
  # the same table checkpointed by us (untimed): the snapshot target is stated for it
  BIGCP=$DIR/snap/300k-checkpointed
  if [ ! -f "$BIGCP/_delta_log/_last_checkpoint" ]; then
    rm -rf "$BIGCP" && cp -a "$BIG" "$BIGCP" && "$CLI" checkpoint "$BIGCP" >"$LOGS/ours-checkpoint-300k.out" 2>&1
  fi
  ours snapshot 300k-files-checkpointed 0 "$(file_bytes "$BIGCP/_delta_log")" -- "$CLI" describe "$BIGCP" --format json
  ours snapshot "$LOG_COMMITS-commits" 0 "$(file_bytes "$LOG10K/_delta_log")" -- "$CLI" describe "$LOG10K" --format json
  duck snapshot 1
fi

# ---------------------------------------------------------------- (9) commits, (10) optimize
SMALLT=$DIR/ours/small
# One small unpartitioned table takes COMMITS small commits (one data file
# each): the first CLI_COMMITS through the CLI (case 9, a process a commit),
# the rest through the library in one process (case 9b, bench/commit_driver,
# when built); case 10 then optimizes its COMMITS small files.
CLI_COMMITS=$COMMITS
[ -x "$BUILD/bench/commit_driver" ] && [ "$COMMITS" -gt "${BENCH_CLI_COMMITS:-200}" ] && CLI_COMMITS=${BENCH_CLI_COMMITS:-200}
LIB_COMMITS=$((COMMITS - CLI_COMMITS))
if want commits || want optimize; then
  rm -rf "$SMALLT"
  SMALL_BYTES=$(file_bytes "$SMALL")
  if "$CLI" create "$SMALLT" --schema "$SCHEMA" >"$LOGS/ours-create-small.out" 2>&1; then
    ours commits main $((CLI_COMMITS * 10)) $((SMALL_BYTES * CLI_COMMITS)) -- sh -c \
      "i=0; while [ \$i -lt $CLI_COMMITS ]; do '$CLI' write '$SMALLT' --input '$SMALL' >/dev/null || exit 1; i=\$((i+1)); done"
    if [ "$LIB_COMMITS" -gt 0 ]; then
      ours commits library $((LIB_COMMITS * 10)) $((SMALL_BYTES * LIB_COMMITS)) -- \
        "$BUILD/bench/commit_driver" --table "$SMALLT" --input "$SMALL" --commits "$LIB_COMMITS"
    fi
  else
    record "{\"engine\":\"ours\",\"case\":\"commits\",\"label\":\"main\",\"status\":\"$(grep -q 'not implemented' "$LOGS/ours-create-small.out" && echo not_built || echo failed)\",\"rows\":0,\"bytes\":0,\"stderr\":$(head -c 300 "$LOGS/ours-create-small.out" | jq -Rs .)}"
  fi
  want commits && duck commits 1
fi
if want optimize; then
  if [ -d "$SMALLT/_delta_log" ] && [ -n "$(table_files "$SMALLT")" ]; then
    SMALLFILES=$DIR/small-files.txt
    table_files "$SMALLT" >"$SMALLFILES"; SMALL_FROM=ours
  else
    # our table is not available: DuckDB compacts its own small files
    mkdir -p "$DIR/duck/small"
    SMALLFILES=$DIR/small-files.txt
    if [ $HAVE_DUCK = 1 ] && [ -z "$(ls "$DIR/duck/small" 2>/dev/null)" ]; then
      node -e "
        const {createRequire}=require('module');const r=createRequire('$ROOT/tests/peers/package.json');
        const d=r('@duckdb/node-api');(async()=>{const i=await d.DuckDBInstance.create(':memory:');const c=await i.connect();
        await c.run(\"CREATE TABLE s AS SELECT * FROM read_json('$SMALL', format='newline_delimited')\");
        for(let k=0;k<$COMMITS;k++) await c.run(\"COPY s TO '$DIR/duck/small/f\"+k+\".parquet' (FORMAT parquet, COMPRESSION snappy)\");})()"
    fi
    table_files "$DIR/duck/small" >"$SMALLFILES"; SMALL_FROM=duckdb
  fi
  ours optimize main $((COMMITS * 10)) "$(file_bytes $(cat "$SMALLFILES"))" -- "$CLI" optimize "$SMALLT"
  rm -f "$DIR/duck/one-t"*.parquet
  duck optimize 1 --files "$SMALLFILES" --out "$DIR/duck/one-t1.parquet"
  [ "$THREADS" -gt 1 ] && duck optimize "$THREADS" --files "$SMALLFILES" --out "$DIR/duck/one-tn.parquet"
fi

# ---------------------------------------------------------------- (11) pipeline
# The library's ingest pipeline without Delta (bench/pipeline_probe, internal
# API): NDJSON -> Arrow batches -> one snappy Parquet file, and the NDJSON ->
# Arrow conversion alone; beside DuckDB's NDJSON -> one Parquet file.
if want pipeline; then
  PROBE=$BUILD/bench/pipeline_probe
  if [ -x "$PROBE" ]; then
    ours pipeline convert "$ROWS" "$DATA_BYTES" -- "$PROBE" --input "$DATA" --schema "$SCHEMA" --convert-only
    ours pipeline main "$ROWS" "$DATA_BYTES" -- "$PROBE" --input "$DATA" --schema "$SCHEMA" --out "$DIR/ours/pipeline.parquet"
    rm -f "$DIR/ours/pipeline.parquet"
  fi
  duck pipeline 1 --input "$DATA" --out "$DIR/duck/pipeline-t1.parquet"
  [ "$THREADS" -gt 1 ] && duck pipeline "$THREADS" --input "$DATA" --out "$DIR/duck/pipeline-tn.parquet"
  rm -f "$DIR/duck/pipeline-t"*.parquet
fi

# ---------------------------------------------------------------- pqread
# The Parquet reader alone (issue 3): bench/pq_read decodes every column of
# every row group of the table's files into Arrow arrays; DuckDB read_parquet
# hashes every value of the same files. MB/s counts uncompressed column-chunk
# bytes (footers). Selected by name only (`--cases pqread`) or by `all`.
if [ "$CASES" = all ] || [[ ",$CASES," == *",pqread,"* ]]; then
  PQREAD=$BUILD/bench/pq_read
  if [ -x "$PQREAD" ] && [ -s "$FILES" ]; then
    read -r PQ_ROWS PQ_UBYTES < <("$PQREAD" --files "$FILES" --size-only | jq -r '"\(.rows) \(.uncompressed_bytes)"')
    ours pqread main "${PQ_ROWS:-0}" "${PQ_UBYTES:-0}" -- "$PQREAD" --files "$FILES"
  fi
  both_duck pqread --files "$FILES"
fi

# ---------------------------------------------------------------- (12) pqwrite
# The Parquet writer's throughput on the span schema (issue 4) beside
# DuckDB's COPY ... TO parquet of the same rows: both load the rows into
# memory first (not timed) and time only the write of one snappy file. Our
# time is the probe's own measure of the write (incl. close and fsync).
if want pqwrite; then
  PROBE=$BUILD/bench/pipeline_probe
  if [ -x "$PROBE" ] && [[ "$("$PROBE" --help 2>&1)" == *--write-only* ]]; then
    mkdir -p "$DIR/ours" "$DIR/duck"
    if ours pqwrite main "$ROWS" "$DATA_BYTES" -- "$PROBE" --input "$DATA" --schema "$SCHEMA" \
      --out "$DIR/ours/pqwrite.parquet" --write-only; then
      inner=$(tail -1 "$LOGS/ours-pqwrite-main.out" | jq -c '{inner_s: .write_s, inner_cpu_s: .write_cpu_s, bytes: .arrow_bytes, file_size: .file_size}' 2>/dev/null)
      if [ -n "$inner" ]; then
        last=$(tail -1 "$RES")
        sed -i '$d' "$RES"
        record "$(jq -c --argjson x "$inner" '. + $x' <<<"$last")"
      fi
    fi
    rm -f "$DIR/ours/pqwrite.parquet"
  else
    not_built pqwrite main "pipeline_probe --write-only not built"
  fi
  duck pqwrite 1 --input "$DATA" --out "$DIR/duck/pqwrite-t1.parquet"
  [ "$THREADS" -gt 1 ] && duck pqwrite "$THREADS" --input "$DATA" --out "$DIR/duck/pqwrite-tn.parquet"
  rm -f "$DIR/duck/pqwrite-t"*.parquet
fi

# ---------------------------------------------------------------- report
node "$ROOT/bench/report.mjs" --results "$RES" --out "$OUT" --rows "$ROWS" --data-bytes "$DATA_BYTES" \
  --threads "$THREADS" --files-from "$FILES_FROM" --commits "$COMMITS" --cli-commits "$CLI_COMMITS" --log-commits "$LOG_COMMITS" \
  --commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
