#!/usr/bin/env bash
# What the test suite needs beyond npm and the stack, installed when missing so that `npm test` works on a
# fresh machine: Debian's chromium (the dashboard tests drive a real headless browser; apt, as root), iproute2
# (ip netns, for the several-machines test) and Flink's own CLI (test/rest/flink-cli.test.ts operates a sluice
# cluster with it). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
# test/cluster/several-machines.test.ts runs processes in network namespaces (ip netns).
if ! command -v ip >/dev/null; then
  apt-get update -qq && apt-get install -y -qq iproute2
fi
bash .ci/install-flink-cli.sh
