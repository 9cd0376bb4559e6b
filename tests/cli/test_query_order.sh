#!/usr/bin/env bash
# deltalake query --order-by: over a generated table (several appends, so
# many files; nulls, NaN, duplicates, empty and non-ASCII strings, decimals,
# dates, timestamps, booleans, a struct field) the ids come back in exactly
# DuckDB's ORDER BY order for the same keys (ties broken by a final `id`, so
# the order is unique), with and without --where and --limit (top-N).
# DuckDB's defaults: ASC, NULLS LAST in both directions; NaN above numbers.
set -u
fail=0; pass=0
ok() { echo "ok   $1"; pass=$((pass+1)); }
bad() { echo "FAIL $1"; fail=$((fail+1)); }
CLI="$DLK_CLI"
PEERS="${DLK_PEERS:-$DLK_SOURCE_DIR/tests/peers}"
if [ ! -d "$PEERS/node_modules/@duckdb/node-api" ]; then
  echo "SKIP: DuckDB peer missing: run scripts/install-peers.sh (query --order-by not compared)"
  exit 0
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dlk_qorder.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$CLI" create "$T/t" --schema "id long, g int, v double, s string, d decimal(10,2), day date, ts timestamp, b boolean, st struct<x: int>" --partition-by day >/dev/null || { echo "FAIL create"; exit 1; }
python3 - "$T" <<'EOF'
import json, random, sys
random.seed(11)
out = sys.argv[1]
words = ["a", "ab", "B", "", "é", "zz", "a b", None]
rid = 0
for a in range(3):
    with open(f"{out}/p{a}.ndjson", "w") as f:
        for i in range(200):
            r = {"id": rid, "day": "2024-01-0%d" % random.randint(1, 3)}
            rid += 1
            if random.random() < .9: r["g"] = random.randint(-3, 3)
            c = random.random()
            if c < .05: r["v"] = "NaN"
            elif c < .85: r["v"] = random.choice([random.uniform(-100, 100), 1.5, -2.25])
            w = random.choice(words)
            if w is not None: r["s"] = w
            if random.random() < .9: r["d"] = "%d.%02d" % (random.randint(-50, 50), random.randint(0, 99))
            if random.random() < .9: r["ts"] = "2024-01-%02dT%02d:%02d:00Z" % (random.randint(1, 28), random.randint(0, 23), random.randint(0, 59))
            if random.random() < .85: r["b"] = random.random() < .5
            if random.random() < .8: r["st"] = {"x": random.randint(0, 5) if random.random() < .9 else None}
            f.write(json.dumps(r) + "\n")
EOF
for a in 0 1 2; do
  "$CLI" write "$T/t" --input "$T/p$a.ndjson" >/dev/null || { echo "FAIL write $a"; exit 1; }
done
cat "$T"/p*.ndjson > "$T/all.ndjson"
SRC="read_json('$T/all.ndjson', format='newline_delimited', columns={'id':'BIGINT','g':'INTEGER','v':'DOUBLE','s':'VARCHAR','d':'DECIMAL(10,2)','day':'DATE','ts':'TIMESTAMPTZ','b':'BOOLEAN','st':'STRUCT(x INTEGER)'})"

# keys | where | limit   (empty: none)
CASES=$(cat <<'EOF'
g
g DESC
g NULLS FIRST
g DESC NULLS FIRST
g ASC NULLS LAST
v
v DESC
v DESC NULLS FIRST
s
s DESC NULLS FIRST
d DESC, s
day, g DESC, v
ts DESC
b, g
st.x DESC
g % 2, v DESC
-v
d * 2 + g
s NULLS FIRST, d DESC|g > 0
v|s = 'a'|10
v DESC|v IS NOT NULL|25
ts|b|7
g, d|NULL|5
g DESC, v|day > '2024-01-01'|40
s, v||1
d||0
EOF
)
duck_args=(); ours_keys=(); ours_where=(); ours_limit=()
while IFS= read -r line; do
  [ -z "$line" ] && continue
  IFS='|' read -r keys where limit <<<"$line"
  ours_keys+=("$keys"); ours_where+=("${where:-}"); ours_limit+=("${limit:-}")
  q="SELECT id FROM $SRC"
  [ -n "${where:-}" ] && q="$q WHERE $where"
  q="$q ORDER BY $keys, id"
  [ -n "${limit:-}" ] && q="$q LIMIT $limit"
  duck_args+=("$q")
done <<< "$CASES"
node "$PEERS/duckdb_query.mjs" "${duck_args[@]}" > "$T/duck.out" 2>"$T/duck.err" || { echo "FAIL duckdb: $(head -3 "$T/duck.err")"; exit 1; }
python3 - "$T" <<'PYEOF'
import sys, json
t = sys.argv[1]
cur = None
files = {}
for line in open(f"{t}/duck.out"):
    line = line.rstrip("\n")
    if line.startswith('{"__query":'):
        cur = json.loads(line)["__query"]
        files[cur] = []
    elif line and cur is not None:
        files[cur].append(line)
for q, rows in files.items():
    with open(f"{t}/want_{q}", "w") as f:
        f.write("\n".join(rows))
PYEOF
for i in "${!ours_keys[@]}"; do
  args=(query "$T/t" --select id --order-by "${ours_keys[$i]}, id" --format jsonl)
  [ -n "${ours_where[$i]}" ] && args+=(--where "${ours_where[$i]}")
  [ -n "${ours_limit[$i]}" ] && args+=(--limit "${ours_limit[$i]}")
  desc="order by ${ours_keys[$i]}${ours_where[$i]:+ where ${ours_where[$i]}}${ours_limit[$i]:+ limit ${ours_limit[$i]}}"
  got=$("$CLI" "${args[@]}" 2>"$T/err") || { bad "$desc: $(cat "$T/err")"; continue; }
  got=$(printf '%s\n' "$got" | sed '/^$/d')
  want=$(cat "$T/want_$i" 2>/dev/null)
  if [ "$got" == "$want" ]; then
    ok "$desc ($(printf '%s' "$got" | grep -c .) rows)"
  else
    bad "$desc: ours $(printf '%s' "$got" | grep -c .) rows, duckdb $(printf '%s' "$want" | grep -c .)"
    diff <(echo "$got") <(echo "$want") | head -5
  fi
done

# the key columns need not be selected; errors name the key and position
err=$("$CLI" query "$T/t" --order-by "gg DESC" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && grep -q "order by key 1 ('gg'): column 'gg' not found at 1:1" <<<"$err"; then ok "unknown key column: exit 1 with position"; else bad "unknown key: rc $rc: $err"; fi
err=$("$CLI" query "$T/t" --order-by "st" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && grep -q "order by key 1 (.st.).*struct" <<<"$err"; then ok "struct key refused"; else bad "struct key: rc $rc: $err"; fi
err=$("$CLI" query "$T/t" --order-by "g, " 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && grep -q "key 2 is empty" <<<"$err"; then ok "empty key refused"; else bad "empty key: rc $rc: $err"; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
