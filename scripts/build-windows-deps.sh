#!/usr/bin/env bash
# Prepares the Windows cross build: installs the mingw-w64 compiler and Wine from Debian's
# packages if they are missing, then cross-builds what Debian ships for Linux only
# (GoogleTest from /usr/src/googletest, oneTBB from its Debian source package) and stages the
# header-only dependencies (moodycamel ConcurrentQueue, toml++), all into
#
#   build/windows-deps/prefix     (or $WEFT_WINDOWS_DEPS_PREFIX)
#
# which cmake/mingw-w64.cmake searches. Idempotent: each dependency is rebuilt only when its
# stamp file (which records its version and this script's build settings) is missing or stale.
# Everything is built static, so the test executables need no DLL beside them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

deps=${WEFT_WINDOWS_DEPS_DIR:-$root/build/windows-deps}
prefix=${WEFT_WINDOWS_DEPS_PREFIX:-$deps/prefix}
toolchain=$root/cmake/mingw-w64.cmake
jobs=${WEFT_JOBS:-2}
mkdir -p "$deps" "$prefix"

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive

# --- Debian packages --------------------------------------------------------------------
packages=(g++-mingw-w64-x86-64-posix wine64 cmake ninja-build xz-utils dpkg-dev patch
  libgtest-dev libgmock-dev libconcurrentqueue-dev libtomlplusplus-dev)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "windows-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# done_stamp NAME SIGNATURE: true when NAME was built with SIGNATURE already.
done_stamp() { [[ -f "$deps/$1.stamp" && "$(cat "$deps/$1.stamp")" == "$2" ]]; }
write_stamp() { echo "$2" >"$deps/$1.stamp"; }

# The settings every cross-built dependency shares.
cross_cmake=(-G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DWEFT_WINDOWS_DEPS_PREFIX="$prefix"
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF)

# --- libstdc++ fix: std::atomic::wait ----------------------------------------------------
# mingw's libstdc++ 12 loses atomic wait notifications (GCC bug 106183); weft's own parking
# does not use it on Windows (WaitOnAddress), but std::latch and the tests do. A patched copy
# of the one header goes into libstdcxx-fix, which cmake/mingw-w64.cmake searches first.
libstdcxx_header=$(echo | x86_64-w64-mingw32-g++-posix -x c++ -E -include bits/atomic_wait.h - \
  2>/dev/null | sed -nE 's|^# [0-9]+ "([^"]*/bits/atomic_wait\.h)".*|\1|p' | head -1)
fix_sig="atomic_wait=$(sha256sum "$libstdcxx_header" | cut -c1-16) $(sha256sum cmake/mingw-w64-atomic-wait.patch | cut -c1-16)"
if ! done_stamp libstdcxx-fix "$fix_sig"; then
  echo "windows-deps: patching a copy of $libstdcxx_header"
  rm -rf "$prefix/libstdcxx-fix"
  mkdir -p "$prefix/libstdcxx-fix/bits"
  cp "$libstdcxx_header" "$prefix/libstdcxx-fix/bits/atomic_wait.h"
  # A compiler whose header no longer matches (a fixed GCC) needs no patch: say so and skip.
  if ! patch --quiet -p1 -d "$prefix/libstdcxx-fix" <cmake/mingw-w64-atomic-wait.patch; then
    echo "windows-deps: the patch does not apply to this compiler's header; not overriding it"
    rm -rf "$prefix/libstdcxx-fix"
  fi
  write_stamp libstdcxx-fix "$fix_sig"
fi

# --- header-only: ConcurrentQueue, toml++ ----------------------------------------------
# Copied rather than pointed at, so that /usr/include (glibc's headers) never enters the
# cross build's include path.
headers_sig="cq=$(dpkg-query -W -f='${Version}' libconcurrentqueue-dev)"
headers_sig+=" toml=$(dpkg-query -W -f='${Version}' libtomlplusplus-dev) v1"
if ! done_stamp headers "$headers_sig"; then
  echo "windows-deps: staging header-only dependencies"
  rm -rf "$prefix/include/concurrentqueue" "$prefix/include/toml++"
  mkdir -p "$prefix/include" "$prefix/lib/cmake/tomlplusplus"
  cp -r /usr/include/concurrentqueue /usr/include/toml++ "$prefix/include/"
  # Debian's tomlplusplusConfig.cmake imports its Linux shared library; the cross build uses
  # toml++ header-only (TOML_HEADER_ONLY defaults to 1).
  cat >"$prefix/lib/cmake/tomlplusplus/tomlplusplusConfig.cmake" <<'EOF'
# Written by weft's scripts/build-windows-deps.sh: toml++ as a header-only library.
if(NOT TARGET tomlplusplus::tomlplusplus)
  get_filename_component(_toml_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
  add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
  set_target_properties(tomlplusplus::tomlplusplus PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_toml_prefix}/include")
  unset(_toml_prefix)
endif()
set(tomlplusplus_FOUND TRUE)
EOF
  write_stamp headers "$headers_sig"
fi

# --- GoogleTest ---------------------------------------------------------------------------
gtest_sig="gtest=$(dpkg-query -W -f='${Version}' libgtest-dev) v1"
if ! done_stamp googletest "$gtest_sig"; then
  echo "windows-deps: cross-building GoogleTest"
  rm -rf "$deps/googletest-build"
  nice cmake -S /usr/src/googletest -B "$deps/googletest-build" "${cross_cmake[@]}" \
    -DBUILD_GMOCK=ON -DINSTALL_GTEST=ON >/dev/null
  nice cmake --build "$deps/googletest-build" -j "$jobs"
  cmake --install "$deps/googletest-build" >/dev/null
  write_stamp googletest "$gtest_sig"
fi

# --- oneTBB -------------------------------------------------------------------------------
# Debian has no mingw build of oneTBB; its source package builds with the cross compiler.
# apt-get source needs a deb-src entry: added once if the system has none.
tbb_version=2021.8.0
tbb_sig="onetbb=$tbb_version static v1"
if ! done_stamp onetbb "$tbb_sig"; then
  src="$deps/onetbb-src"
  tarball=$(ls "$src"/onetbb_${tbb_version}.orig.tar.xz 2>/dev/null || true)
  if [[ -z "$tarball" ]]; then
    if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "windows-deps: adding a deb-src entry for apt-get source"
      "${sudo[@]}" tee /etc/apt/sources.list.d/debian-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
      "${sudo[@]}" apt-get update -q
    fi
    mkdir -p "$src"
    (cd "$src" && apt-get source --download-only onetbb)
    tarball="$src/onetbb_${tbb_version}.orig.tar.xz"
  fi
  echo "windows-deps: cross-building oneTBB $tbb_version"
  rm -rf "$src/oneTBB-$tbb_version" "$deps/onetbb-build"
  tar -xf "$tarball" -C "$src"
  # TBB_STRICT=OFF: oneTBB's own -Werror trips on mingw-only warnings in code we do not own.
  # Static: oneTBB warns that it prefers to be a DLL; a static library is what lets the tests
  # run without DLLs, and weft uses one arena per runtime, never two copies of TBB.
  nice cmake -S "$src/oneTBB-$tbb_version" -B "$deps/onetbb-build" "${cross_cmake[@]}" \
    -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF \
    -DTBB_ENABLE_IPO=OFF >/dev/null
  nice cmake --build "$deps/onetbb-build" -j "$jobs"
  cmake --install "$deps/onetbb-build" >/dev/null
  write_stamp onetbb "$tbb_sig"
fi

echo "windows-deps: ready in $prefix"
