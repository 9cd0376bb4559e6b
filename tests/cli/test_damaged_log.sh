#!/usr/bin/env bash
# A damaged log is an error, never silence: a 0-byte (or whitespace-only)
# commit file - what a crash on a filesystem without a proper fsync can
# leave - makes reads fail with CORRUPT naming the file instead of silently
# dropping that version's changes; check reports it; vacuum, which would
# otherwise delete the lost version's live files, refuses; after the file is
# restored the table reads whole.
. "$(dirname "$0")/lib.sh"
T="$tmp/t"
"$CLI" create "$T" --schema 'id long, v string' >/dev/null
for i in 1 2 3; do printf '{"id":%d,"v":"r%d"}\n' $i $i | "$CLI" write "$T" >/dev/null; done
C="$T/_delta_log/00000000000000000002.json"
cp "$C" "$tmp/saved"
for damage in empty blank; do
    if [ $damage = empty ]; then : >"$C"; else printf '\n  \n' >"$C"; fi
    "$CLI" query "$T" --format jsonl >"$tmp/q" 2>"$tmp/err"
    rc=$?
    check "[ $rc -ne 0 ] && grep -q CORRUPT '$tmp/err' && grep -q '00000000000000000002.json' '$tmp/err'" "$damage commit: query fails with CORRUPT naming the file"
    "$CLI" query "$T" --count >/dev/null 2>&1
    check "[ $? -ne 0 ]" "$damage commit: count fails too"
    "$CLI" check "$T" >"$tmp/c" 2>&1
    check "[ $? -ne 0 ] && grep -q empty_commit '$tmp/c'" "$damage commit: check reports empty_commit"
    "$CLI" vacuum "$T" --retention-hours 0 --force >/dev/null 2>"$tmp/verr"
    check "[ $? -ne 0 ]" "$damage commit: vacuum refuses"
    printf '{"id":9,"v":"x"}\n' | "$CLI" write "$T" >/dev/null 2>&1
    check "[ $? -ne 0 ]" "$damage commit: a write refuses too (nothing committed over it)"
    cp "$tmp/saved" "$C"
done
n=$(ls "$T/_delta_log" | grep -c '\.json$')
check "[ $n -eq 4 ]" "no commit was added while the log was damaged"
"$CLI" query "$T" --order-by id --format jsonl >"$tmp/q"
printf '{"id":1,"v":"r1"}\n{"id":2,"v":"r2"}\n{"id":3,"v":"r3"}\n' >"$tmp/want"
check "cmp -s '$tmp/q' '$tmp/want'" "restored, every committed row reads back"
"$CLI" check "$T" >/dev/null 2>&1
check "[ $? -eq 0 ]" "restored, check passes"

# sizes that lie: a negative size, 2^63-1, a negative DV cardinality
W="$tmp/w"
for bad in '"size":-5' '"size":9223372036854775807'; do
    rm -rf "$W"
    cp -a "$T" "$W"
    sed -i "s/\"size\":[0-9]*/$bad/" "$W/_delta_log/00000000000000000001.json"
    "$CLI" query "$W" --format jsonl >/dev/null 2>"$tmp/err"
    rc=$?
    check "[ $rc -ne 0 ] && grep -q CORRUPT '$tmp/err' && grep -q 'is not a file size' '$tmp/err'" "add with $bad: CORRUPT naming the add"
    for cmd in describe stats optimize; do
        "$CLI" $cmd "$W" >/dev/null 2>"$tmp/err"
        check "[ $? -ne 0 ] && grep -q CORRUPT '$tmp/err'" "add with $bad: $cmd refuses (no undefined behaviour)"
    done
done

# stats that contradict themselves prove nothing: a filtered query still
# finds the rows (min above max; more nulls than rows)
S="$tmp/s"
"$CLI" create "$S" --schema 'id long, v string' >/dev/null
seq 1 10 | sed 's/.*/{"id":&,"v":"r&"}/' | "$CLI" write "$S" >/dev/null
SC="$S/_delta_log/00000000000000000001.json"
cp "$SC" "$tmp/s.saved"
sed -i 's/\\"minValues\\":{\\"id\\":1,/\\"minValues\\":{\\"id\\":10,/; s/\\"maxValues\\":{\\"id\\":10,/\\"maxValues\\":{\\"id\\":1,/' "$SC"
check "grep -q 'minValues......id...10,' '$SC'" "fixture: stats with min 10 > max 1"
check "[ \"\$('$CLI' query '$S' --where 'id = 5' --format jsonl)\" = '{\"id\":5,\"v\":\"r5\"}' ]" "min above max: the file is not skipped"
cp "$tmp/s.saved" "$SC"
sed -i 's/\\"nullCount\\":{\\"id\\":0/\\"nullCount\\":{\\"id\\":99/' "$SC"
check "grep -q 'nullCount......id...99' '$SC'" "fixture: nullCount 99 of 10 rows"
check "[ \"\$('$CLI' query '$S' --where 'id = 5' --format jsonl)\" = '{\"id\":5,\"v\":\"r5\"}' ]" "more nulls than rows: the file is not skipped"
finish
