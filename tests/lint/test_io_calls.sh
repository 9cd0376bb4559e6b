#!/usr/bin/env bash
# tests/lint/test_io_calls.sh - the I/O check (scripts/check_io.sh) passes on
# the tree and fails on planted direct file calls outside src/storage/: an
# open(2), an fopen, an unlink in a header, a rename after a comment and a
# string that mention such calls; calls in src/storage/, in comments and
# strings, and member or dlk_* calls of the same names pass.
set -euo pipefail
SRC="${DLK_SOURCE_DIR:?}"
CHECK="$SRC/scripts/check_io.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. the real tree is clean
"$CHECK" --src "$SRC" > "$tmp/ok.txt" || { cat "$tmp/ok.txt"; fail "the tree calls file functions outside src/storage/"; }
grep -q "check_io: ok" "$tmp/ok.txt" || fail "no ok line: $(cat "$tmp/ok.txt")"

plant() { rm -rf "$tmp/t"; mkdir -p "$tmp/t"; cp -r "$SRC/src" "$tmp/t/src"; }
expect_fail() { # what pattern
  local what="$1" pat="$2"
  if "$CHECK" --src "$tmp/t" > "$tmp/out.txt" 2>&1; then
    cat "$tmp/out.txt"; fail "$what: not detected"
  fi
  grep -q -- "$pat" "$tmp/out.txt" || { cat "$tmp/out.txt"; fail "$what: message lacks '$pat'"; }
  echo "ok: $what -> $(grep -m1 -- "$pat" "$tmp/out.txt")"
}
expect_pass() { # what
  "$CHECK" --src "$tmp/t" > "$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; fail "$1: reported"; }
  echo "ok: $1 passes"
}

# 2. planted violations
plant
printf '#include <fcntl.h>\nint f(const char *p)\n{\n    return open(p, O_RDONLY);\n}\n' > "$tmp/t/src/dml/planted.c"
expect_fail "open(2) in dml" "src/dml/planted.c:4: calls open(...)"
plant
printf '#include <stdio.h>\nvoid *g(void) { return fopen ("x", "rb"); }\n' > "$tmp/t/src/api/planted.c"
expect_fail "fopen in api" "src/api/planted.c:2: calls fopen(...)"
plant
printf '#include <unistd.h>\nstatic inline void h(const char *p) { unlink(p); }\n' > "$tmp/t/src/write/planted.h"
expect_fail "unlink in a header" "src/write/planted.h:2: calls unlink(...)"
plant
printf '/* rename( in a comment */\nconst char *m = "rmdir(";\nchar q = '"'"'"'"'"';\nint r(void) { return rename("a", "b"); }\n' > "$tmp/t/src/maint/planted.c"
expect_fail "rename after a comment and strings" "src/maint/planted.c:4: calls rename(...)"
[ "$(grep -c ': calls ' "$tmp/out.txt")" = 1 ] || { cat "$tmp/out.txt"; fail "the comment or a string was reported"; }
plant
printf 'int s(const char *p) { return mkdir(p, 0777) + rmdir(p) + fsync(3) + link(p, p); }\n' > "$tmp/t/src/util/planted.c"
expect_fail "mkdir in util" "src/util/planted.c:1: calls mkdir(...)"
grep -q "src/util/planted.c:1: calls link(...)" "$tmp/out.txt" || fail "every call on a line is reported"

# 3. what is not a violation
plant
cat > "$tmp/t/src/core/planted.c" <<'C'
/* open(), fopen(), unlink(p) and rename(a, b) in a comment */
// rmdir(p) in a line comment
struct ops { int (*open)(void); int (*remove)(int); };
static const char *msg = "cannot open(2) or unlink(%s)";
int dlk_core__t(struct ops *o, struct ops v)
{
    (void)msg;
    return o->open() + v.remove(1) + dlk_table_open(0) + my_unlink(0);
}
C
printf 'int x(const char *p) { return unlink(p); }\n' > "$tmp/t/src/storage/planted.c"
expect_pass "comments, strings, members, dlk_* and src/storage/"
echo "PASS"
