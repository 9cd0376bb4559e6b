#!/usr/bin/env bash
# deltalake --version: the project version, the git commit it was built from
# ("unknown" outside git) and the features built in.
set -euo pipefail
: "${DLK_CLI:?}" "${DLK_SOURCE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$("$DLK_CLI" --version)
echo "$out"
[ "$("$DLK_CLI" -V)" = "$out" ] || fail "-V differs from --version"
want=$(sed -n 's/^project(deltalake VERSION \([0-9.]*\).*/\1/p' "$DLK_SOURCE_DIR/CMakeLists.txt")
[ "$(sed -n 1p <<<"$out")" = "deltalake $want" ] || fail "line 1 is not 'deltalake $want'"
commit=$(sed -n 's/^commit: //p' <<<"$out")
if head=$(git -C "$DLK_SOURCE_DIR" rev-parse --short=12 HEAD 2>/dev/null); then
  # built from this checkout (possibly an earlier commit when not rebuilt):
  # a commit id of the repository, with -dirty for uncommitted changes
  c=${commit%-dirty}
  git -C "$DLK_SOURCE_DIR" cat-file -e "$c^{commit}" 2>/dev/null || fail "commit '$commit' is not in the repository (HEAD $head)"
else
  [ "$commit" = unknown ] || fail "outside git the commit is 'unknown', got '$commit'"
fi
features=$(sed -n 's/^features: //p' <<<"$out")
for f in "s3 (libcurl" snappy zstd lz4 brotli gzip "deletion vectors"; do
  grep -qF "$f" <<<"$features" || fail "features lack '$f': $features"
done
echo "version test: ok"
