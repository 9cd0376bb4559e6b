#!/usr/bin/env bash
# The public headers (include/deltalake/): each compiles on its own as C11
# with -Wall -Wextra -Werror (and as C++ when a C++ compiler is there); the
# umbrella header includes every module header but no sys/ header; no
# header tells callers to free() what the library returns (dlk_string_free,
# types.h); every header has a "Since" mark and none claims a version newer
# than the library's (CMakeLists.txt project version).
set -u
S="$DLK_SOURCE_DIR"
I="$S/include"
T=$(mktemp -d "${TMPDIR:-/tmp}/dlk_hdrs.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
CC=${CC:-cc}
CXX=${CXX:-c++}
have_cxx=0
command -v "$CXX" >/dev/null && have_cxx=1
for h in "$I"/deltalake/*.h "$I"/deltalake/sys/*.h; do
  rel=${h#"$I"/}
  printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$rel" "$rel" >"$T/one.c"
  "$CC" -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$I" "$T/one.c" 2>"$T/err" ||
    { bad "$rel does not compile on its own:"; head -5 "$T/err"; }
  if [ $have_cxx = 1 ]; then
    cp "$T/one.c" "$T/one.cc"
    "$CXX" -Wall -Wextra -Werror -fsyntax-only -I"$I" "$T/one.cc" 2>"$T/err" ||
      { bad "$rel does not compile as C++:"; head -5 "$T/err"; }
  fi
done
[ $fail = 0 ] && echo "ok   every public header compiles on its own"

# the umbrella: every module header, no sys/ header (also not indirectly)
printf '#include "deltalake/deltalake.h"\n#ifdef DELTALAKE_SYS_STORAGE_H\n#error sys/storage.h pulled in\n#endif\n' >"$T/u.c"
"$CC" -std=c11 -fsyntax-only -I"$I" "$T/u.c" 2>"$T/err" &&
  echo "ok   deltalake.h does not include sys/ headers" || { bad "deltalake.h includes a sys/ header"; head -3 "$T/err"; }
for h in "$I"/deltalake/*.h; do
  n=$(basename "$h")
  [ "$n" = deltalake.h ] && continue
  grep -q "#include \"deltalake/$n\"" "$I/deltalake/deltalake.h" || bad "deltalake.h does not include $n"
done

# strings: dlk_string_free, never free()
if grep -nE '(^|[^_a-z])free\(' "$I"/deltalake/*.h "$I"/deltalake/sys/*.h | grep -v 'never with free()' >"$T/free"; then
  bad "a header tells callers to free() a returned string:"; cat "$T/free"
else
  echo "ok   no header asks for free()"
fi

# Since marks
ver=$(sed -n 's/^project(deltalake VERSION \([0-9]*\.[0-9]*\).*/\1/p' "$S/CMakeLists.txt")
maj=${ver%%.*}
min=${ver#*.}
for h in "$I"/deltalake/*.h "$I"/deltalake/sys/*.h; do
  rel=${h#"$I"/}
  grep -q 'Since:\? [0-9]' "$h" || bad "$rel has no Since mark"
  while read -r v; do
    vm=${v%%.*}
    vn=${v#*.}
    if [ "$vm" -gt "$maj" ] || { [ "$vm" -eq "$maj" ] && [ "$vn" -gt "$min" ]; }; then
      bad "$rel: 'Since $v' is newer than the library ($ver)"
    fi
  done < <(grep -o 'Since:\? [0-9][0-9]*\.[0-9][0-9]*' "$h" | grep -o '[0-9][0-9]*\.[0-9][0-9]*')
done
[ $fail = 0 ] && echo "ok   Since marks at or below $ver"
exit $fail
