#!/usr/bin/env bash
# scripts/bootstrap.sh - install the Debian packages needed to build and test
# deltalake-connector, only those that are missing. Safe to run repeatedly.
#   scripts/bootstrap.sh          build + test dependencies
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config clang
  zlib1g-dev libdeflate-dev libsnappy-dev libzstd-dev liblz4-dev libbrotli-dev
  libjansson-dev libroaring-dev uuid-dev
  libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libprotobuf-c-dev protobuf-c-compiler
  nodejs npm zstd jq
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# nodejs/npm may come from outside Debian's packages: accept working commands.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all build dependencies present"
  exit 0
fi

echo "bootstrap: installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "bootstrap: these packages are missing and this user is not root (and has no sudo):" >&2
    echo "    apt-get install -y ${missing[*]}" >&2
    echo "bootstrap: run that as root, then run make again." >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "bootstrap: done"
