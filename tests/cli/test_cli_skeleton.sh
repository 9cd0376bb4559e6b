#!/usr/bin/env bash
# CLI contract: help, version, usage errors and exit codes.
set -u
fail=0
check() { if ! eval "$1"; then echo "FAIL: $2"; fail=$((fail+1)); else echo "ok   $2"; fi; }
CLI="$DLK_CLI"
out=$("$CLI" --help); rc=$?
check "[ $rc -eq 0 ]" "--help exits 0"
for c in create write upsert delete update query history describe stats optimize vacuum restore checkpoint check parquet serve; do
  check "grep -qE '^  $c ' <<<\"\$out\"" "--help lists $c"
  "$CLI" $c --help >/tmp/dlk_help.$$ 2>&1; rc=$?
  check "[ $rc -eq 0 ] && grep -q 'usage: deltalake $c' /tmp/dlk_help.$$" "$c --help prints its usage"
done
rm -f /tmp/dlk_help.$$
v=$("$CLI" --version); rc=$?
check "[ $rc -eq 0 ] && [[ \"\$(head -1 <<<\"\$v\")\" =~ ^deltalake\ [0-9]+\.[0-9]+\.[0-9]+$ ]]" "--version prints the version"
"$CLI" nosuch >/dev/null 2>/tmp/dlk_err.$$; rc=$?
check "[ $rc -eq 2 ] && grep -q \"unknown command 'nosuch'\" /tmp/dlk_err.$$" "unknown command exits 2 with a usage message"
"$CLI" >/dev/null 2>&1; rc=$?
check "[ $rc -eq 2 ]" "no command exits 2"
rm -f /tmp/dlk_err.$$
if [ $fail -ne 0 ]; then echo "0 passed, $fail failed"; exit 1; fi
echo "all passed"
