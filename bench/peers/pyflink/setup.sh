#!/usr/bin/env bash
# Sets up the PyFlink peer (idempotent):
#   bench/.work/pyflink-venv  Python venv with apache-flink (PyFlink) 2.3.0
#   bench/.work/flink-java    the Java peer's jar, whose 'capture' sink job.py loads
# Override the version with PYFLINK_VERSION=1.20.3 (then also build the Java peer against
# Flink 1.20.x: the jar must match the Flink inside PyFlink).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(cd "$here/../.." && pwd)/.work"
venv="$work/pyflink-venv"
version="${PYFLINK_VERSION:-2.3.0}"
mkdir -p "$work"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
fi
if ! "$venv/bin/python" -c "import pyflink.version as v, sys; sys.exit(v.__version__ != '$version')" 2>/dev/null; then
  "$venv/bin/pip" install "apache-flink==$version"
fi
"$venv/bin/python" -c "import pyflink.version as v; print('pyflink', v.__version__)"
if [[ ! -f "$work/flink-java/target/sluice-flink-peer-0.1.0.jar" ]]; then
  "$here/../flink-java/build.sh"
fi
