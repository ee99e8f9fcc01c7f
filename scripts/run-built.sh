#!/usr/bin/env bash
# Start and CLI scripts: run what `npm run build` made, never build behind the user's back (a build
# while other services start or run is what broke them). Usage: run-built.sh [node flags] dist/<entry> [args]
set -euo pipefail
for arg in "$@"; do
  if [[ "$arg" != -* ]]; then
    if [ ! -f "$arg" ]; then
      echo "Paperboy is not built ($arg is missing): run \`npm run build\` first. Start and CLI scripts run what is built and never build." >&2
      exit 1
    fi
    break
  fi
done
exec node "$@"
