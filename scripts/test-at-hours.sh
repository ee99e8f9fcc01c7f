#!/usr/bin/env bash
# Runs the time-dependent suites (digest planning, windows, ledgers, links, and the fan-out fault tests) with the clock at 00:30, 06:30, 12:30 and 18:30 UTC and on a day whose
# clocks change (Europe and the US), whatever the hour CI runs at: each run sets TEST_CLOCK_AT, which
# the test process and the services it starts take as their clock (test/support/shift-clock.js).
set -euo pipefail
cd "$(dirname "$0")/.."

# The notifier's specs and the api's feed, digest-view and subscription-link specs (one file per area).
SUITES=(
  apps/notifier/src/digest-planning.int-spec.ts
  apps/notifier/src/digest-matching.int-spec.ts
  apps/notifier/src/digest-ledger.int-spec.ts
  apps/notifier/src/missed-sends.int-spec.ts
  apps/notifier/src/notifier-recovery.int-spec.ts
  apps/notifier/src/confirmations.int-spec.ts
  apps/notifier/src/for-you.int-spec.ts
  apps/notifier/src/ledger-retention.int-spec.ts
  apps/classifier/src/pending-seeds.int-spec.ts
  apps/api/src/relevance/relevance.int-spec.ts
  apps/api/src/feeds/personal-feeds.int-spec.ts
  apps/api/src/digests/digest-view.int-spec.ts
  apps/api/src/subscriptions/subscribe.int-spec.ts
  apps/api/src/subscriptions/confirm-link.int-spec.ts
  apps/api/src/subscriptions/manage-link.int-spec.ts
)
# The fan-out scenarios of the fault tests, whose send hour once came from the wall clock.
FAULT_SUITE=test/notifier-faults.e2e-spec.ts
FAULT_TESTS='SIGKILLed mid fan-out|loses all its keys|two notifiers|hard bounce'

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
  TEST_CLOCK_AT="$instant" npx jest --selectProjects integration --runInBand --runTestsByPath "$FAULT_SUITE" -t "$FAULT_TESTS"
done
