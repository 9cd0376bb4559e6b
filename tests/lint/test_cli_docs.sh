#!/usr/bin/env bash
# docs/cli.md and docs/deltalake.1 are what scripts/gen_cli_docs.sh makes
# from the built CLI's --help texts (regenerate them after changing a
# usage text); the man page renders without groff warnings.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/dlk_clidocs.XXXXXX")
trap 'rm -rf "$T"' EXIT
cp "$DLK_SOURCE_DIR/docs/predicates.txt" "$T/" 2>/dev/null
bash "$DLK_SOURCE_DIR/scripts/gen_cli_docs.sh" "$DLK_CLI" "$T" || { echo "FAIL: gen_cli_docs.sh"; exit 1; }
fail=0
for f in cli.md deltalake.1; do
  if diff -u "$DLK_SOURCE_DIR/docs/$f" "$T/$f" >"$T/$f.diff"; then echo "ok   docs/$f is up to date"
  else echo "FAIL: docs/$f differs from the CLI's --help (run scripts/gen_cli_docs.sh build/deltalake docs):"; head -20 "$T/$f.diff"; fail=1; fi
done
if command -v groff >/dev/null; then
  w=$(groff -man -Tutf8 -ww "$DLK_SOURCE_DIR/docs/deltalake.1" 2>&1 >/dev/null)
  if [ -z "$w" ]; then echo "ok   man page renders without warnings"; else echo "FAIL: groff: $w"; fail=1; fi
else
  echo "SKIP: groff not installed: man page rendering not checked"
fi
exit $fail
