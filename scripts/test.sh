#!/usr/bin/env bash
# Installs the dependencies, then builds and runs the whole test suite: release, then
# ThreadSanitizer, then AddressSanitizer+UBSan, then the kqueue backend over libkqueue (built
# first by scripts/build-libkqueue.sh), then checks that the installed package can be consumed
# by another CMake project. The Windows cross build under Wine (scripts/test-windows.sh) runs
# when asked for by name (`scripts/test.sh windows`); it is not yet in the default list. Prints how long each preset's stage took, and ends with one
# summary line over all runs.
#
#   scripts/test.sh                 everything (what CI runs)
#   scripts/test.sh release tsan    only these presets (release, debug, tsan, asan, kqueue,
#                                   windows)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

presets=("$@")
((${#presets[@]})) || presets=(release tsan asan kqueue)
jobs=$(nproc)
passed=0
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

for preset in "${presets[@]}"; do
  stage_start=$SECONDS
  if [[ $preset == kqueue ]]; then
    echo "=== weft: libkqueue (for the kqueue preset) ==="
    if ! scripts/build-libkqueue.sh; then
      echo "weft: building libkqueue FAILED; kqueue preset skipped"
      failed=$((failed + 1))
      continue
    fi
  fi
  status=0
  if [[ $preset == windows ]]; then
    # Its own script: cross-built dependencies, a Wine prefix, and console tests after ctest.
    scripts/test-windows.sh 2>&1 | tee "$logs/$preset.log" || status=$?
  else
    echo "=== weft: $preset build ==="
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "=== weft: $preset tests ==="
    ctest --preset "$preset" -j "$jobs" 2>&1 | tee "$logs/$preset.log" || status=$?
  fi
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$logs/$preset.log" | tail -1)
  if [[ -n "$summary" ]]; then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  else
    failed=$((failed + 1))
  fi
  if ((status != 0)); then
    echo "weft: $preset tests FAILED"
    # A failure outside ctest's count (a build, or Windows' console tests) still counts.
    [[ -z "$summary" || $bad -gt 0 ]] || failed=$((failed + 1))
  fi
  echo "=== weft: $preset stage took $((SECONDS - stage_start)) s ==="
done

if [[ " ${presets[*]} " == *" release "* ]]; then
  echo "=== weft: installed-package consumer check ==="
  if scripts/check-consumer.sh build/release; then
    passed=$((passed + 1))
  else
    echo "weft: consumer check FAILED"
    failed=$((failed + 1))
  fi
fi

echo "total: $passed passed, $failed failed"
((failed == 0))
