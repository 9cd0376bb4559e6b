#!/usr/bin/env bash
# scripts/check_layers.sh - enforce the dependency rule of src/ (src/README.md,
# src/LAYERS): a module includes and calls only modules of a lower rank (and
# itself), and a private header (*_int.h) is included only inside its folder.
#
#   check_layers.sh [--src DIR] [--build DIR]
#
# --src   the source tree (default: the repository holding this script)
# --build a configured and built build folder: also check the symbols each
#         module's object files use (nm): an undefined dlk_* symbol must be
#         defined by the module itself or by a module of a lower rank.
# Prints one line a violation ("file:line: ...") and exits 1 when there is
# any; exits 0 and prints a summary otherwise.
set -euo pipefail

src_root="$(cd "$(dirname "$0")/.." && pwd)"
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --src) src_root="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "check_layers: unknown argument $1" >&2; exit 2 ;;
  esac
done
src="$src_root/src"
[ -f "$src/LAYERS" ] || { echo "check_layers: $src/LAYERS not found" >&2; exit 2; }

# module -> rank
declare -A rank
while read -r r mods; do
  case "$r" in ''|\#*) continue ;; esac
  for m in $mods; do rank[$m]=$r; done
done < "$src/LAYERS"

bad=0
report() { echo "$1"; bad=$((bad + 1)); }

# every folder of src/ is a known module
for d in "$src"/*/; do
  m="$(basename "$d")"
  [ -n "${rank[$m]+x}" ] || report "src/$m/: folder not in src/LAYERS (give it a rank there)"
done

# includes
n_files=0
while IFS= read -r -d '' f; do
  rel="${f#"$src"/}"
  m="${rel%%/*}"
  [ -n "${rank[$m]+x}" ] || continue
  n_files=$((n_files + 1))
  while IFS=: read -r line inc; do
    dir="${inc%%/*}"
    [ "$dir" = "$inc" ] && dir="$m" # a bare name is a header of the same folder
    [ "$dir" = "deltalake" ] && continue
    if [[ "$inc" == *_int.h ]] && [ "$dir" != "$m" ]; then
      report "src/$rel:$line: includes $inc: a private header (*_int.h) is for its own folder ($dir/) only"
      continue
    fi
    [ "$dir" = "$m" ] && continue
    if [ -z "${rank[$dir]+x}" ]; then
      report "src/$rel:$line: includes $inc: '$dir' is not a module of src/LAYERS"
    elif [ "${rank[$dir]}" -ge "${rank[$m]}" ]; then
      report "src/$rel:$line: includes $inc: $m (rank ${rank[$m]}) may not depend on $dir (rank ${rank[$dir]})"
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
           sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
done < <(find "$src" -mindepth 2 \( -name '*.c' -o -name '*.h' \) -print0)

# symbols
n_syms=0
if [ -n "$build" ]; then
  declare -A def_mod
  declare -A mods_built
  # a module's objects: the list CMake writes (build/layers/<module>.objs),
  # else every object under build/CMakeFiles/dlk_<module>.dir
  objs_of() {
    if [ -f "$build/layers/$1.objs" ]; then grep -v '^$' "$build/layers/$1.objs" || true
    elif [ -d "$build/CMakeFiles/dlk_$1.dir" ]; then find "$build/CMakeFiles/dlk_$1.dir" -name '*.o' | sort
    fi
  }
  for m in "${!rank[@]}"; do
    objs=$(objs_of "$m")
    [ -n "$objs" ] || continue
    mods_built[$m]=1
    while read -r sym; do def_mod[$sym]=$m; done < <(nm -g --defined-only $objs 2>/dev/null | awk 'NF>=3 {print $3}')
  done
  [ "${#mods_built[@]}" -gt 0 ] || { echo "check_layers: no module objects in $build" >&2; exit 2; }
  for m in "${!mods_built[@]}"; do
    while IFS= read -r o; do
      while read -r sym; do
        case "$sym" in dlk_*) ;; *) continue ;; esac
        n_syms=$((n_syms + 1))
        dm="${def_mod[$sym]:-}"
        [ -n "$dm" ] || continue
        [ "$dm" = "$m" ] && continue
        if [ "${rank[$dm]}" -ge "${rank[$m]}" ]; then
          report "${o#"$build"/}: uses $sym of $dm (rank ${rank[$dm]}): $m (rank ${rank[$m]}) may only call lower ranks"
        fi
      done < <(nm -u "$o" 2>/dev/null | awk '{print $NF}')
    done < <(objs_of "$m")
  done
fi

if [ "$bad" -gt 0 ]; then
  echo "check_layers: $bad violation(s) of the layering rule (src/README.md)" >&2
  exit 1
fi
echo "check_layers: ok ($n_files files${build:+, $n_syms symbol uses})"
