#!/usr/bin/env bash
# The Windows stage of CI: cross-builds weft with Debian's mingw-w64 and runs the scheduler,
# runtime, io and net suites under Wine. Prints ctest's summary line, then one line of stage
# times. Exit status 0 only if every test passed.
#
#   scripts/test-windows.sh
#
# Stages:
#   deps    scripts/build-windows-deps.sh: mingw-w64 and Wine from apt if missing; GoogleTest
#           and oneTBB cross-built once into build/windows-deps (a no-op when up to date)
#   build   cmake --preset windows (build/windows), nice -j$WEFT_JOBS (default 2)
#   tests   ctest --preset windows: every test executable runs through wine64
#           (CMAKE_CROSSCOMPILING_EMULATOR, cmake/mingw-w64.cmake), gtest cases one by one;
#           then the console-signal tests once more, alone, under a pseudo-terminal (Wine
#           gives a process a console only when it has a terminal; Ctrl-C needs one)
#
# Wine keeps its state in $WINEPREFIX (default build/windows-wine), created on first use.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${WEFT_JOBS:-2}
export WINEPREFIX=${WINEPREFIX:-$PWD/build/windows-wine}
export WINEDEBUG=${WINEDEBUG:--all}
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver64
log=$(mktemp)
trap 'rm -f "$log"' EXIT

now() { date +%s; }
times=()
stage_started=0
begin() { echo "=== weft windows: $1 ==="; stage_started=$(now); }
end() { times+=("$1 $(($(now) - stage_started))s"); }

begin "dependencies"
scripts/build-windows-deps.sh
end deps

begin "build"
# The build runs the test executables once to list their cases (gtest_discover_tests), so
# Wine's prefix must exist first; wineboot makes it (about 15 s, once).
mkdir -p "$WINEPREFIX"
"$wine" wineboot --init >/dev/null 2>&1 || true
# One wineserver for the whole stage: by default it exits 3 s after its last process, and a
# test that starts just then loses it ("wine client error: recvmsg: Connection reset by
# peer"). This one stays until 60 s after the last, then exits by itself.
"$wineserver" -w  # the one wineboot started ends first
"$wineserver" -p60
cmake --preset windows >/dev/null
nice cmake --build --preset windows -j "$jobs"
end build

begin "tests"
status=0
ctest --preset windows -j "$jobs" 2>&1 | tee "$log" || status=$?
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1 || true)
skipped=$(grep -cE '\(Skipped\)$' "$log" || true)

# Ctrl-C reaches every process of a console, so these run alone, after ctest. The terminal
# garbles what gtest prints (Wine draws it with cursor movements): read its XML report.
echo "=== weft windows: console signals (under a pseudo-terminal) ==="
report=build/windows/console-signals.xml
rm -f "$report"
script -qec "$wine build/windows/tests/net/weft_net_tests.exe --gtest_filter='SignalWindows.*' \
  --gtest_output=xml:$report" /dev/null >/dev/null 2>&1 || true
if [[ -f "$report" ]]; then
  attribute() { grep -m1 -oE "<testsuites [^>]*\b$1=\"[0-9]+\"" "$report" | grep -oE '[0-9]+"$' | tr -d '"'; }
  console_tests=$(attribute tests)
  console_failed=$(($(attribute failures) + $(attribute errors)))
  console_skipped=$(grep -c 'result="skipped"' "$report" || true)
  echo "console signals: $console_tests tests, $console_failed failed, $console_skipped skipped"
  ((console_failed == 0)) || status=1
else
  echo "console signals: no report (the test executable did not run)"
  status=1
fi
end tests

echo "${summary:-weft windows: ctest printed no summary}"
echo "weft windows: $skipped skipped; stage times: ${times[*]}"
((status == 0))
