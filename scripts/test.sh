#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 machine as root, from a clone:
#
#   ./scripts/test.sh              set up (scripts/setup.sh), then every test tier
#   ./scripts/test.sh <jest args>  set up, then only `jest --runInBand <jest args>`
#
# Tiers: test/unit (anywhere, in parallel), then test/integration and test/e2e (root, real
# engines, one test file at a time so that engines, ports and subnets never collide).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh

jest() { node_modules/.bin/jest "$@"; }

if [ $# -gt 0 ]; then
  jest --runInBand "$@"
  exit
fi

jest test/unit

serial=()
for dir in test/integration test/contract test/e2e; do
  if [ -d "$dir" ] && [ -n "$(find "$dir" -name '*.test.ts' -print -quit)" ]; then
    serial+=("$dir")
  fi
done
if [ ${#serial[@]} -gt 0 ]; then
  jest --runInBand "${serial[@]}"
fi

# nothing of the tests may be left: mounts, monitors, daemons, cgroups
./scripts/check-leftovers.sh
