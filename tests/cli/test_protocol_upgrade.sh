#!/usr/bin/env bash
# The one protocol upgrade: a legacy column-mapped table (reader 2 / writer
# 5) keeps columnMapping through delete --enable-dv and through every DML
# and maintenance command after it; a legacy writer-4 table keeps the
# features it implies and stays writable; check reports a protocol that
# drops a feature the metadata uses, and writers refuse such a table.
. "$(dirname "$0")/lib.sh"

# the protocol of the latest version, as one compact JSON object
protocol() {
    local p=""
    for f in "$1"/_delta_log/*.json; do
        local l
        l=$(grep '^{"protocol"' "$f" | head -1)
        [ -n "$l" ] && p=$l
    done
    printf '%s' "$p" | jq -c '.protocol'
}
# does the latest protocol list feature $2 in list $3 (readerFeatures|writerFeatures)?
has_feature() { protocol "$1" | jq -e --arg f "$2" ".$3 // [] | index(\$f) != null" >/dev/null; }
rows() { "$CLI" query "$1" --order-by id --format jsonl; }
sound() { "$CLI" check "$1" >"$tmp/check.out" 2>&1; }

# ---- a legacy column-mapped table (what Spark 3.x writes: reader 2, writer 5)
T="$tmp/legacy"
"$CLI" create "$T" --schema 'id long, name string, p string' --partition-by p \
    --property delta.columnMapping.mode=name >/dev/null
printf '{"id":1,"name":"a","p":"x"}\n{"id":2,"name":"b","p":"x"}\n{"id":3,"name":"c","p":"y"}\n' |
    "$CLI" write "$T" >/dev/null
sed -i 's/^{"protocol":.*$/{"protocol":{"minReaderVersion":2,"minWriterVersion":5}}/' \
    "$T/_delta_log/00000000000000000000.json"
check "[ \"\$(protocol '$T')\" = '{\"minReaderVersion\":2,\"minWriterVersion\":5}' ]" "fixture: legacy protocol 2/5"
check "sound '$T'" "fixture: check passes on the legacy table"

"$CLI" delete "$T" --where 'id = 1' --enable-dv >/dev/null
check "[ \"\$(protocol '$T' | jq -c '[.minReaderVersion,.minWriterVersion]')\" = '[3,7]' ]" "delete --enable-dv upgrades to reader 3 / writer 7"
check "has_feature '$T' columnMapping readerFeatures && has_feature '$T' columnMapping writerFeatures" "columnMapping kept in reader and writer features"
check "has_feature '$T' deletionVectors readerFeatures && has_feature '$T' deletionVectors writerFeatures" "deletionVectors added"
for f in appendOnly invariants checkConstraints changeDataFeed generatedColumns; do
    check "has_feature '$T' $f writerFeatures" "legacy writer 5 implies $f: kept in writerFeatures"
done
check "! has_feature '$T' appendOnly readerFeatures" "writer-only features stay out of readerFeatures"
check "sound '$T'" "check passes after the upgrade"
check "[ \"\$(rows '$T' | jq -c .id | tr '\n' ,)\" = '2,3,' ]" "delete removed id 1 (soft)"

# every DML and maintenance command on the upgraded table keeps it sound
after() {
    check "has_feature '$T' columnMapping readerFeatures && has_feature '$T' columnMapping writerFeatures && sound '$T'" "$1: columnMapping kept, check passes"
}
"$CLI" update "$T" --where 'id = 2' --set "name = 'bb'" >/dev/null
after update
printf '{"id":3,"name":"cc","p":"y"}\n{"id":4,"name":"d","p":"x"}\n' | "$CLI" upsert "$T" --key id >/dev/null
after upsert
"$CLI" delete "$T" --where 'id = 4' --hard >/dev/null
after "delete --hard"
"$CLI" optimize "$T" >/dev/null
after optimize
"$CLI" alter "$T" --add-column 'n int' >/dev/null
after "alter --add-column"
"$CLI" checkpoint "$T" >/dev/null
after checkpoint
"$CLI" restore "$T" --version 3 >/dev/null
after restore
check "[ \"\$(rows '$T' | jq -c '[.id,.name]' | tr '\n' ,)\" = '[2,\"bb\"],[3,\"c\"],' ]" "restore to version 3 (after update) reads its rows"
"$CLI" vacuum "$T" --retention-hours 0 --force >/dev/null 2>&1
after vacuum

# ---- legacy writer 4 (implies changeDataFeed, generatedColumns; not in use)
U="$tmp/w4"
"$CLI" create "$U" --schema 'id long, v string' >/dev/null
printf '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' | "$CLI" write "$U" >/dev/null
sed -i 's/^{"protocol":.*$/{"protocol":{"minReaderVersion":1,"minWriterVersion":4}}/' \
    "$U/_delta_log/00000000000000000000.json"
"$CLI" delete "$U" --where 'id = 1' --enable-dv >/dev/null
check "has_feature '$U' changeDataFeed writerFeatures && has_feature '$U' generatedColumns writerFeatures" "writer 4's features kept on upgrade"
check "! has_feature '$U' columnMapping writerFeatures" "writer 4 does not imply columnMapping"
printf '{"id":3,"v":"c"}\n' | "$CLI" write "$U" >/dev/null 2>"$tmp/w4.err"
check "[ $? -eq 0 ]" "the upgraded table stays writable (features listed but not in use)"
check "[ \"\$(rows '$U' | jq -c .id | tr '\n' ,)\" = '2,3,' ]" "rows after delete and write"
check "sound '$U'" "check passes"

# ---- a protocol that dropped a feature the metadata uses
B="$tmp/broken"
"$CLI" create "$B" --schema 'id long' --property delta.columnMapping.mode=name >/dev/null
printf '{"id":1}\n' | "$CLI" write "$B" >/dev/null
printf '{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}\n' \
    >"$B/_delta_log/00000000000000000002.json"
"$CLI" check "$B" >"$tmp/b.out" 2>&1
check "[ $? -ne 0 ] && grep -q columnMapping '$tmp/b.out'" "check reports the missing columnMapping feature"
printf '{"id":2}\n' | "$CLI" write "$B" >/dev/null 2>"$tmp/b.err"
check "[ $? -ne 0 ] && grep -q columnMapping '$tmp/b.err'" "a write refuses the inconsistent table, naming the feature"

# ---- no write on a table we cannot fully read (unknown reader feature or
# reader version): every writer refuses, naming the cause, and writes nothing
for proto in '{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["futureFeature"],"writerFeatures":["futureFeature"]}' \
             '{"minReaderVersion":4,"minWriterVersion":7,"readerFeatures":[],"writerFeatures":[]}'; do
    F="$tmp/future"
    rm -rf "$F"
    "$CLI" create "$F" --schema 'id long, v string' >/dev/null
    printf '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n' | "$CLI" write "$F" >/dev/null
    printf '{"protocol":%s}\n' "$proto" >"$F/_delta_log/00000000000000000002.json"
    want=$(printf '%s' "$proto" | jq -r 'if .minReaderVersion > 3 then "reader version" else "futureFeature" end')
    before=$(ls "$F/_delta_log" | wc -l)
    refused=0
    for cmd in "checkpoint" "optimize" "vacuum --retention-hours 0 --force" "delete --where 'id = 1'" \
               "update --where 'id = 1' --set \"v = 'x'\"" "alter --add-column 'n int'"; do
        sub=${cmd%% *} args=""
        [ "$sub" != "$cmd" ] && args=${cmd#* }
        eval "\"\$CLI\" $sub \"\$F\" $args" >/dev/null 2>"$tmp/f.err"
        rc=$?
        if [ $rc -ne 0 ] && grep -q UNSUPPORTED "$tmp/f.err" && grep -q "$want" "$tmp/f.err"; then
            refused=$((refused + 1))
        else
            echo "  $cmd: exit $rc: $(tail -1 "$tmp/f.err")"
        fi
    done
    printf '{"id":3,"v":"c"}\n' | "$CLI" write "$F" >/dev/null 2>"$tmp/f.err" && echo "  write accepted"
    grep -q "$want" "$tmp/f.err" && refused=$((refused + 1))
    printf '{"id":1,"v":"c"}\n' | "$CLI" upsert "$F" --key id >/dev/null 2>"$tmp/f.err" && echo "  upsert accepted"
    grep -q "$want" "$tmp/f.err" && refused=$((refused + 1))
    check "[ $refused -eq 8 ]" "unreadable table ($want): checkpoint, optimize, vacuum, delete, update, alter, write, upsert refuse naming it ($refused of 8)"
    check "[ $(ls "$F/_delta_log" | wc -l) -eq $before ]" "unreadable table ($want): nothing written to the log"
done
[ $fail -eq 0 ] || exit 1
