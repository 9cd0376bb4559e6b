#!/usr/bin/env bash
# The commit path's post-commit hook: every operation's commit that lands on
# delta.checkpointInterval writes a checkpoint (and _last_checkpoint), not
# only write and DML: optimize, vacuum, restore and alter too; the table
# reads the same from the checkpoint.
. "$(dirname "$0")/lib.sh"
T="$tmp/t"
latest() { ls "$T/_delta_log" | grep -E '^[0-9]{20}\.json$' | tail -1 | sed 's/^0*//; s/\.json$//; s/^$/0/'; }
checkpointed() {
    local v
    v=$(latest)
    [ -f "$T/_delta_log/$(printf '%020d' "$v").checkpoint.parquet" ] &&
        [ "$(jq -r .version "$T/_delta_log/_last_checkpoint")" = "$v" ]
}
"$CLI" create "$T" --schema 'id long, v string' --property delta.checkpointInterval=1 >/dev/null
for i in 1 2 3; do printf '{"id":%d,"v":"r%d"}\n' $i $i | "$CLI" write "$T" >/dev/null; done
check "checkpointed" "write: checkpoint of version $(latest)"
"$CLI" optimize "$T" >/dev/null
check "[ $(latest) -eq 4 ] && checkpointed" "optimize (version 4) writes its checkpoint"
"$CLI" alter "$T" --add-column 'n int' >/dev/null
check "[ $(latest) -eq 5 ] && checkpointed" "alter (version 5) writes its checkpoint"
"$CLI" restore "$T" --version 2 >/dev/null
check "[ $(latest) -eq 6 ] && checkpointed" "restore (version 6) writes its checkpoint"
"$CLI" vacuum "$T" --retention-hours 0 --force >/dev/null 2>&1
check "[ $(latest) -ge 7 ] && checkpointed" "vacuum (version $(latest)) writes its checkpoint"
"$CLI" query "$T" --order-by id --format jsonl >"$tmp/q"
printf '{"id":1,"v":"r1","n":null}\n{"id":2,"v":"r2","n":null}\n' >"$tmp/want"
check "cmp -s '$tmp/q' '$tmp/want'" "the table reads the restored rows from the last checkpoint"
"$CLI" check "$T" >/dev/null 2>&1
check "[ $? -eq 0 ]" "check passes"
[ $fail -eq 0 ] || exit 1
