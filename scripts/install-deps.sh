#!/usr/bin/env bash
# Installs what building, testing and benchmarking weft needs, from Debian's packages.
# Safe to re-run: it only calls apt-get when something is missing.
set -euo pipefail

packages=(build-essential cmake ninja-build clang-format
  libtbb-dev libconcurrentqueue-dev libgtest-dev libgmock-dev libbenchmark-dev
  libtomlplusplus-dev python3)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q "${missing[@]}"
fi
