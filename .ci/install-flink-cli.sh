#!/usr/bin/env bash
# Installs Flink's own command line client, for the tests that operate a sluice cluster with it
# (`flink list|savepoint|stop|cancel -m host:port`). The real CLI ships in the apache-flink package on PyPI
# (pyflink/bin/flink, a shell script around Flink's jars in apache-flink-libraries) and runs on Java 17.
# Only those two packages are installed, without PyFlink's Python dependencies (Beam, pandas, ...), which
# the CLI does not use: about 300 MB instead of 850. Idempotent; the venv is .venv-flink (git-ignored) or
# $SLUICE_FLINK_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${SLUICE_FLINK_VENV:-.venv-flink}
VERSION=2.3.0
if [ -x "$VENV/bin/python" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-flink-libraries"))' 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps "apache-flink==$VERSION" "apache-flink-libraries==$VERSION"
