#!/usr/bin/env bash
# tests/lint/test_layering.sh - the layering check (scripts/check_layers.sh)
# passes on the tree and on the built objects, and fails on planted
# violations: an include going up, a private header used outside its
# folder, an unranked folder, and an object calling a higher module.
set -euo pipefail
SRC="${DLK_SOURCE_DIR:?}"
BUILD="${DLK_BUILD_DIR:?}"
CHECK="$SRC/scripts/check_layers.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. the real tree and its objects are clean
"$CHECK" --src "$SRC" --build "$BUILD" > "$tmp/ok.txt" || { cat "$tmp/ok.txt"; fail "the tree violates the layering"; }
grep -q "check_layers: ok" "$tmp/ok.txt" || fail "no ok line: $(cat "$tmp/ok.txt")"

# a copy of src/ to plant violations in
plant() { rm -rf "$tmp/t"; mkdir -p "$tmp/t"; cp -r "$SRC/src" "$tmp/t/src"; }
expect_fail() { # what pattern
  local what="$1" pat="$2"
  if "$CHECK" --src "$tmp/t" > "$tmp/out.txt" 2>&1; then
    cat "$tmp/out.txt"; fail "$what: not detected"
  fi
  grep -q -- "$pat" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "$what: message lacks '$pat'"; }
  echo "ok: $what -> $(grep -m1 -- "$pat" "$tmp/out.txt")"
}

# 2. an include going the wrong way (core may not use read)
plant
printf '#include "util/error.h"\n#include "read/sort.h"\n' > "$tmp/t/src/core/planted.c"
expect_fail "upward include" "src/core/planted.c:2: includes read/sort.h: core (rank"

# 3. a sibling of the same rank (dml and maint are independent)
plant
printf '#include "dml/dml_int.h"\n' > "$tmp/t/src/maint/planted.c"
expect_fail "private header outside its folder" "src/maint/planted.c:1: includes dml/dml_int.h: a private header"
plant
printf '/* x */\n#include "maint/maint_int.h"\n' > "$tmp/t/src/write/planted.h"
expect_fail "private header in a header" "src/write/planted.h:2: includes maint/maint_int.h"

# 4. a folder without a rank
plant
mkdir -p "$tmp/t/src/bogus" && echo 'int x;' > "$tmp/t/src/bogus/a.c"
expect_fail "unranked folder" "src/bogus/: folder not in src/LAYERS"

# 5. an unknown module in an include
plant
printf '#include "nosuch/thing.h"\n' > "$tmp/t/src/log/planted.c"
expect_fail "unknown module" "'nosuch' is not a module"

# 6. the symbol check: an object of core calling a function defined in read
plant
fb="$tmp/fakebuild/CMakeFiles"
mkdir -p "$fb/dlk_core.dir" "$fb/dlk_read.dir"
printf 'int dlk_where_new(void) { return 0; }\n' > "$tmp/def.c"
printf 'int dlk_where_new(void);\nint dlk_core__planted(void) { return dlk_where_new(); }\n' > "$tmp/use.c"
${CC:-cc} -c "$tmp/def.c" -o "$fb/dlk_read.dir/def.c.o"
${CC:-cc} -c "$tmp/use.c" -o "$fb/dlk_core.dir/use.c.o"
if "$CHECK" --src "$SRC" --build "$tmp/fakebuild" > "$tmp/out.txt" 2>&1; then
  cat "$tmp/out.txt"; fail "symbol use going up: not detected"
fi
grep -q "use.c.o: uses dlk_where_new of read" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "symbol message"; }
echo "ok: upward call -> $(grep -m1 use.c.o "$tmp/out.txt")"
# and the same call the other way round is fine
rm -f "$fb"/*/*.o
${CC:-cc} -c "$tmp/def.c" -o "$fb/dlk_core.dir/def.c.o"
${CC:-cc} -c "$tmp/use.c" -o "$fb/dlk_read.dir/use.c.o"
"$CHECK" --src "$SRC" --build "$tmp/fakebuild" > "$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "downward call reported"; }
echo "PASS"
