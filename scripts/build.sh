#!/usr/bin/env bash
# npm run build: compiles into a new directory under .builds/ and then points the dist symlink at it
# with one rename. A process starting meanwhile sees the previous build or the new one, never half of
# one, and a running process keeps loading its later files (the classifier's worker) from the build it
# started with. The newest builds are kept (KEEP_BUILDS, default 3) so running processes stay whole.
set -euo pipefail
cd "$(dirname "$0")/.."

keep="${KEEP_BUILDS:-3}"
stamp="$(date -u +%Y%m%dT%H%M%S%N)-$$"
tmp=".builds/.tmp-$stamp"
link="dist.$stamp.tmp"
trap 'rm -rf "$tmp" "$link"' EXIT
mkdir -p .builds

node_modules/.bin/tsc -p tsconfig.build.json --outDir "$tmp"
node_modules/.bin/tsc-alias -p tsconfig.build.json --outDir "$tmp"
# The api's page templates, read at boot, go with the code they belong to.
node scripts/copy-templates.js "$tmp"
# Same depth as the temporary directory: the source maps' relative paths stay right.
mv "$tmp" ".builds/$stamp"

# A dist/ directory from before builds were swapped (or from `nest start`) moves aside once.
legacy=".builds/.tmp-legacy-$stamp"
if [ -d dist ] && [ ! -L dist ]; then
  mv dist "$legacy"
fi
ln -s ".builds/$stamp" "$link"
mv -T "$link" dist
rm -rf "$legacy"

# Older builds go, except the one dist points at (a concurrent build may have swapped in its own).
current="$(basename "$(readlink dist)")"
ls -1 .builds | grep -v '^\.tmp-' | sort -r | tail -n +"$((keep + 1))" | while read -r old; do
  [ "$old" = "$current" ] || rm -rf ".builds/$old"
done
# Temporary directories of builds killed before their trap ran.
find .builds -maxdepth 1 -name '.tmp-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true
