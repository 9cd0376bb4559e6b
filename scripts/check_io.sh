#!/usr/bin/env bash
# scripts/check_io.sh - every file operation of the library goes through the
# storage layer (include/deltalake/sys/storage.h, src/storage/): no C file of
# src/ outside src/storage/ calls the POSIX / stdio functions that open,
# create, rename, link, sync or remove files and folders (open, openat,
# creat, fopen, freopen, fdopen, opendir, fdopendir, link, linkat, symlink,
# rename, renameat, fsync, fdatasync, unlink, unlinkat, rmdir, mkdir,
# mkdirat, remove, truncate, ftruncate, mkstemp, mkdtemp, tmpfile).
# Comments and string literals are ignored; member calls (ops->open(...),
# x.open(...)) and dlk_* functions are not these functions.
#
#   check_io.sh [--src DIR]
#
# --src  the source tree (default: the repository holding this script)
# Prints one line a violation ("file:line: calls NAME(...)") and exits 1
# when there is any; exits 0 and prints "check_io: ok ..." otherwise.
set -euo pipefail

src_root="$(cd "$(dirname "$0")/.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --src) src_root="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "check_io: unknown argument $1" >&2; exit 2 ;;
  esac
done
src="$src_root/src"
[ -d "$src" ] || { echo "check_io: $src not found" >&2; exit 2; }

# Files allowed direct file calls outside src/storage/: none (a file that
# ever needs one goes here with the reason).
exempt=()

names='open|openat|open64|creat|fopen|freopen|fdopen|opendir|fdopendir|link|linkat|symlink|symlinkat|rename|renameat|renameat2|fsync|fdatasync|unlink|unlinkat|rmdir|mkdir|mkdirat|remove|truncate|ftruncate|mkstemp|mkstemps|mkdtemp|tmpfile'

bad=0
files=0
while IFS= read -r -d '' f; do
  rel="${f#"$src"/}"
  case "$rel" in storage/*) continue ;; esac
  skip=0
  for e in "${exempt[@]}"; do [ "$rel" = "$e" ] && skip=1; done
  [ "$skip" = 1 ] && continue
  files=$((files + 1))
  # blank out comments and string / character literals (keeping newlines,
  # so line numbers stay), then look for calls of the names
  out="$(perl -0777 -ne '
    s{(/\*.*?\*/)|(//[^\n]*)|("(?:\\.|[^"\\\n])*")|('"'"'(?:\\.|[^'"'"'\\\n])*'"'"')}{
      my $m = $&; $m =~ s/[^\n]/ /g; $m }gse;
    my $n = 1;
    for my $line (split /\n/, $_, -1) {
      while ($line =~ /(?<![\w.>\$])('"$names"')\s*\(/g) { print "$n: calls $1(...)\n"; }
      $n++;
    }' "$f")"
  if [ -n "$out" ]; then
    while IFS= read -r l; do echo "src/$rel:$l"; bad=$((bad + 1)); done <<< "$out"
  fi
done < <(find "$src" -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)

if [ "$bad" -gt 0 ]; then
  echo "check_io: $bad direct file call(s) outside src/storage/ (use dlk_storage_*)" >&2
  exit 1
fi
echo "check_io: ok ($files files outside src/storage/, ${#exempt[@]} exempt)"
