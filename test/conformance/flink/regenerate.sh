#!/usr/bin/env bash
# Regenerates test/conformance/expected.json with real Flink (PyFlink 2.3.0 in the shared venv, or the one
# named by FLINK_PYTHON). Takes a few minutes. Usage: bash test/conformance/flink/regenerate.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
python="${FLINK_PYTHON:-/work/wt/.venv-flink/bin/python}"
work="$root/test/conformance/.work"
rm -rf "$work" && mkdir -p "$work"
(cd "$root" && npx tsx test/conformance/flink/export-cases.ts "$work")
TZ=UTC "$python" "$here/run_flink.py" "$work" "$root/test/conformance/expected.json"
