#!/usr/bin/env bash
# Builds libkqueue (the BSD kqueue/kevent API emulated over epoll) from the vendored release
# archive and installs it under build/libkqueue/prefix, so that the `kqueue` preset can compile
# and test weft's kqueue backend on Linux. Prints the install prefix on its last line.
#
#   scripts/build-libkqueue.sh        unpacks, builds, installs (skips all of it when installed)
#
# The archive is looked for in $WEFT_VENDOR_DIR (default: ../shared/vendor beside the repo).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

version=2.7.0
vendor_dir=${WEFT_VENDOR_DIR:-$repo/../shared/vendor}
archive=$vendor_dir/libkqueue-$version.tar.gz
root=$repo/build/libkqueue
src=$root/src
prefix=$root/prefix
stamp=$prefix/.installed-$version

if [[ -f $stamp ]]; then
  echo "build-libkqueue: libkqueue $version already installed" >&2
  echo "$prefix"
  exit 0
fi

if [[ ! -f $archive ]]; then
  echo "build-libkqueue: $archive not found; set WEFT_VENDOR_DIR to the directory holding" \
    "libkqueue-$version.tar.gz (see ../shared/vendor/README.md)" >&2
  exit 1
fi

# Start from a clean tree: a half-finished earlier run leaves no stamp.
rm -rf "$src" "$root/build" "$prefix"
mkdir -p "$src"
tar -xzf "$archive" -C "$src" --strip-components=1

# libkqueue's CMakeLists asks git for a commit and tag to name its version; unpacked inside
# this repository, git would answer with weft's. The ceiling stops git's search at the source
# directory, and VERSION_OVERRIDE names the release.
# CMAKE_INSTALL_PREFIX is set when configuring, not only at install time: libkqueue installs
# to CMAKE_INSTALL_FULL_* paths, which are fixed at configure time.
# Static only: weft links libkqueue.a, so the test binaries do not need LD_LIBRARY_PATH.
GIT_CEILING_DIRECTORIES=$root cmake -S "$src" -B "$root/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DENABLE_SHARED=OFF -DENABLE_STATIC=ON -DENABLE_TESTING=OFF \
  -DVERSION_OVERRIDE=$version >&2
cmake --build "$root/build" -j "${WEFT_JOBS:-2}" >&2
cmake --install "$root/build" >&2

if [[ ! -f $prefix/lib/libkqueue.a || ! -f $prefix/include/kqueue/sys/event.h ]]; then
  echo "build-libkqueue: install under $prefix lacks lib/libkqueue.a or" \
    "include/kqueue/sys/event.h" >&2
  exit 1
fi
touch "$stamp"
echo "$prefix"
