#!/usr/bin/env bash
# npm run demo: make sure Postgres and Redis are up, build, and run one offline day (scripts/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
npm run build --silent
node dist/scripts/demo.js "$@"
