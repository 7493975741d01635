#!/usr/bin/env bash
# Benchmark of the README's first command: a fresh clone of HEAD, `npm ci`, then `npm start` twice
# (first: suite + site build; second: nothing new to run). Prints seconds to "site up" for each.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/cajal"
cd "$work/cajal"
t0=$(date +%s)
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "npm ci: $(( $(date +%s) - t0 )) s"
export CAJAL_DB_PORT=${CAJAL_DB_PORT:-54411}
for run in first second; do
  echo "$run npm start:"
  if ! SMOKE_PORT=3311 bash .ci/start-smoke >"$work/$run.log" 2>&1; then tail -40 "$work/$run.log"; exit 1; fi
  grep -E "site up after|ready in" "$work/$run.log"
done
