#!/usr/bin/env bash
# Regenerates test/conformance/expected.json with real Flink (PyFlink 2.3.0 in the shared venv, or the one
# named by FLINK_PYTHON). The whole corpus takes several minutes; name families to rerun only their cases
# (the other families' expected results are kept as they are), which is how several people extend the corpus
# side by side without rerunning each other's cases.
#   bash test/conformance/flink/regenerate.sh                 # every case
#   bash test/conformance/flink/regenerate.sh over rank       # only the families 'over' and 'rank'
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
python="${FLINK_PYTHON:-/work/wt/.venv-flink/bin/python}"
work="$(mktemp -d "$root/test/conformance/.work-XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$root" && npx tsx test/conformance/flink/export-cases.ts "$work" "$@")
TZ=UTC "$python" "$here/run_flink.py" "$work" "$work/flink.json"
(cd "$root" && npx tsx test/conformance/flink/merge-expected.ts "$work/flink.json" test/conformance/expected.json "$@")
