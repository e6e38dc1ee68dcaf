# Cross-compiling weft for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix:
# GCC 12 with the POSIX thread model, which std::thread, std::mutex and std::atomic::wait
# need), and running what it builds under Wine (wine64).
#
#   cmake --preset windows        (CMakePresets.json; scripts/test-windows.sh does it all)
#
# Dependencies that Debian only ships for Linux (GoogleTest, oneTBB) are cross-built by
# scripts/build-windows-deps.sh into WEFT_WINDOWS_DEPS_PREFIX (default build/windows-deps/prefix),
# which also holds copies of the header-only ones (moodycamel ConcurrentQueue, toml++). find_*
# look there and in the mingw sysroot only, never in the Linux /usr.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_SYSTEM_VERSION 10.0)

set(WEFT_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${WEFT_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${WEFT_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${WEFT_MINGW_TRIPLE}-windres)

# The toolchain file is read again for every try_compile project: pass the prefix on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WEFT_WINDOWS_DEPS_PREFIX)
if(NOT WEFT_WINDOWS_DEPS_PREFIX)
  get_filename_component(WEFT_WINDOWS_DEPS_PREFIX
    "${CMAKE_CURRENT_LIST_DIR}/../build/windows-deps/prefix" ABSOLUTE)
endif()
set(WEFT_WINDOWS_DEPS_PREFIX "${WEFT_WINDOWS_DEPS_PREFIX}" CACHE PATH
  "Where scripts/build-windows-deps.sh installed the cross-built dependencies")

set(CMAKE_FIND_ROOT_PATH /usr/${WEFT_MINGW_TRIPLE} "${WEFT_WINDOWS_DEPS_PREFIX}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libstdc++ 12's std::atomic::wait loses notifications without a futex (GCC bug 106183):
# scripts/build-windows-deps.sh leaves a patched copy of bits/atomic_wait.h here, searched
# before the compiler's own C++ headers (-isystem comes before the standard directories).
if(EXISTS "${WEFT_WINDOWS_DEPS_PREFIX}/libstdcxx-fix/bits/atomic_wait.h")
  add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:SHELL:-isystem ${WEFT_WINDOWS_DEPS_PREFIX}/libstdcxx-fix>")
endif()

# Windows 10 (0x0A00) APIs: AF_UNIX sockets, GetActiveProcessorCount, job-object CPU rates.
add_compile_definitions(_WIN32_WINNT=0x0A00 WINVER=0x0A00)

# Static executables: no libstdc++-6.dll, libgcc_s_seh-1.dll or libwinpthread-1.dll to ship
# beside each test, and oneTBB (built static too) linked in.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Test executables (and gtest_discover_tests' listing of their cases) run under Wine.
# WINEDEBUG=-all keeps Wine's own diagnostics out of the test output.
set(CMAKE_CROSSCOMPILING_EMULATOR env WINEDEBUG=-all /usr/lib/wine/wine64)
