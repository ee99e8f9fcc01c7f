#!/usr/bin/env bash
# Runs the time-dependent suites with the clock at 00:30, 06:30, 12:30 and 18:30 UTC and on a day whose
# clocks change (Europe and the US), whatever the hour CI runs at: each run sets TEST_CLOCK_AT, which
# the test process and the services it starts take as their clock (test/support/shift-clock.js).
set -euo pipefail
cd "$(dirname "$0")/.."

SUITES=(
  apps/notifier/src/notifier.int-spec.ts
  apps/api/src/feeds-and-digests.int-spec.ts
  apps/api/src/api.int-spec.ts
  test/notifier-faults.e2e-spec.ts
)
INSTANTS=(
  2026-11-18T00:30:00Z
  2026-11-18T06:30:00Z
  2026-11-18T12:30:00Z
  2026-11-18T18:30:00Z
  2026-03-29T00:30:00Z # a daylight-saving day: Europe springs forward at 01:00 UTC
)
for instant in "${INSTANTS[@]}"; do
  echo "== the clock at ${instant}"
  TEST_CLOCK_AT="$instant" npx jest --selectProjects integration --runInBand --runTestsByPath "${SUITES[@]}"
done
