#!/usr/bin/env bash
# Developer loop for one area: compile src+test into a private dir (so parallel work does not clash
# over dist-test/), then run the named test files with node's test runner.
#   usage: scripts/devtest.sh OUTDIR [TEST_JS_GLOB_RELATIVE_TO_OUTDIR ...]
set -u
out=$1; shift
cd "$(dirname "$0")/.."
[ -f src/proto/gen/buildkit.js ] || node scripts/build.mjs >/dev/null
node_modules/.bin/tsc -p tsconfig.test.json --outDir "$out" | grep -v '^$' | head -40
mkdir -p "$out/src/proto/gen" && cp src/proto/gen/* "$out/src/proto/gen/"
[ $# -gt 0 ] || exit 0
cd "$out" && exec node --test "$@"
