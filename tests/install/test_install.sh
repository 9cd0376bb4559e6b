#!/usr/bin/env bash
# tests/install/test_install.sh - `cmake --install` into a temporary prefix,
# then the README's library program (taken from the README, so the snippet
# compiles as printed) built and run three ways: pkg-config (shared),
# pkg-config --static (libdeltalake.a, no libdeltalake.so needed) and a CMake
# project using find_package(deltalake). Each run creates a table, writes two
# rows and reads the count back (the program exits nonzero on a mismatch).
set -euo pipefail
: "${DLK_BUILD_DIR:?}" "${DLK_SOURCE_DIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$DLK_BUILD_DIR" --prefix "$P" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log" >&2; fail "cmake --install"; }
libdir=$P/lib
[ -d "$P/lib64" ] && [ ! -d "$libdir/pkgconfig" ] && libdir=$P/lib64
for f in "$libdir/libdeltalake.a" "$libdir/libdeltalake.so.0" "$P/bin/deltalake" \
         "$P/include/deltalake/deltalake.h" "$libdir/pkgconfig/deltalake.pc" \
         "$libdir/cmake/deltalake/deltalakeConfig.cmake" \
         "$libdir/cmake/deltalake/deltalakeConfigVersion.cmake" "$P/share/man/man1/deltalake.1"; do
  [ -e "$f" ] || fail "not installed: ${f#$P/}"
done
soname=$(readelf -d "$libdir/libdeltalake.so.0" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = libdeltalake.so.0 ] || fail "soname '$soname'"
# (outputs are captured before grep -q: with pipefail, grep -q leaving early
# would fail the pipeline through SIGPIPE)
v=$("$P/bin/deltalake" --version)
grep -q '^deltalake ' <<<"$v" || fail "installed CLI --version"

# the program: the first C block after the install-test marker in README.md
awk '/<!-- install-test: app.c/{m=1} m&&/^```c$/{p=1;next} p&&/^```$/{exit} p' \
  "$DLK_SOURCE_DIR/README.md" >"$tmp/app.c"
grep -q 'int main' "$tmp/app.c" || fail "no program after the install-test marker in README.md"

export PKG_CONFIG_PATH=$libdir/pkgconfig
pkg-config --exists deltalake || fail "pkg-config does not find deltalake"
[ "$(pkg-config --modversion deltalake)" = "$(sed -n 's/^project(deltalake VERSION \([0-9.]*\).*/\1/p' "$DLK_SOURCE_DIR/CMakeLists.txt")" ] ||
  fail "deltalake.pc version"
CC=${CC:-cc}
# a sanitizer build installs an instrumented library: its consumers need the runtime too
SAN=""
if grep -q '^DLK_SANITIZE:BOOL=ON' "${DLK_BUILD_DIR:-.}/CMakeCache.txt" 2>/dev/null; then
  SAN="-fsanitize=address,undefined"
fi
run() { # name binary
  local out
  out=$("$2" "$tmp/tables/$1") || fail "$1: program failed: $out"
  echo "$1: $out"
}

# 1. shared, through pkg-config (the README's first link line)
# shellcheck disable=SC2046
$CC $SAN -std=c11 -Wall -Wextra -Werror -o "$tmp/app_shared" "$tmp/app.c" $(pkg-config --cflags --libs deltalake)
deps=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/app_shared")
grep -qF "libdeltalake.so.0 => $libdir/" <<<"$deps" ||
  fail "shared build does not use the installed libdeltalake.so.0: $deps"
LD_LIBRARY_PATH=$libdir run shared "$tmp/app_shared"

# 2. static, through pkg-config --static (the README's second link line: with
# libdeltalake.so beside it, -ldeltalake would pick the shared library, so the
# archive is named instead)
# shellcheck disable=SC2046
$CC $SAN -std=c11 -Wall -Wextra -Werror -o "$tmp/app_static" "$tmp/app.c" \
  $(pkg-config --static --cflags --libs deltalake | sed "s|-ldeltalake|$(pkg-config --variable=libdir deltalake)/libdeltalake.a|")
deps=$(ldd "$tmp/app_static")
if grep -q libdeltalake <<<"$deps"; then fail "static build needs libdeltalake.so"; fi
run static "$tmp/app_static"

# 3. CMake: find_package(deltalake) + deltalake::deltalake
mkdir -p "$tmp/cm"
cp "$tmp/app.c" "$tmp/cm/app.c"
cat >"$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(deltalake 0.1 REQUIRED)
add_executable(app app.c)
target_link_libraries(app deltalake::deltalake)
add_executable(app_static app.c)
target_link_libraries(app_static deltalake::deltalake_static)
CM
cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_FLAGS="$SAN" -DCMAKE_EXE_LINKER_FLAGS="$SAN" >"$tmp/cm.log" 2>&1 || {
  cat "$tmp/cm.log" >&2; fail "cmake configure of the consumer"; }
cmake --build "$tmp/cm/build" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log" >&2; fail "consumer build"; }
run cmake "$tmp/cm/build/app"
deps=$(ldd "$tmp/cm/build/app_static")
if grep -q libdeltalake <<<"$deps"; then fail "deltalake_static needs libdeltalake.so"; fi
run cmake_static "$tmp/cm/build/app_static"
echo "install test: ok"
