#!/usr/bin/env bash
# Runs one workload on the Flink Java peer (after ./build.sh):
#   bench/peers/flink-java/run.sh --workload q0 --rows 100000 --input none --output /tmp/q0.csv [--sink blackhole]
# '--input none' means bench/.work/input/<rows>/<schema>.csv, generated here if missing.
# JVM options: Flink's Java 17 module flags (env.java.opts.all of Flink 2.3's config.yaml);
# heap left at the JVM default unless FLINK_PEER_JAVA_OPTS is set (e.g. "-Xmx2g").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$(cd "$here/.." && pwd)"
work="$(cd "$peers/.." && pwd)/.work/flink-java"
jar="$work/target/sluice-flink-peer-0.1.0.jar"
[[ -f "$jar" && -d "$work/lib" ]] || { echo "not built: run $here/build.sh" >&2; exit 2; }

# generate the default input if asked for
args=("$@"); workload=""; rows=""; input=""
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --workload) workload="${args[$((i + 1))]}" ;;
    --rows) rows="${args[$((i + 1))]}" ;;
    --input) input="${args[$((i + 1))]}" ;;
  esac
done
if [[ "$input" == "none" && -n "$workload" && -n "$rows" ]]; then
  # every input the workload reads ('-- input: bids, persons')
  kind="$(sed -n 's/^-- *input: *\([a-z, ]*\).*/\1/p' "$peers/sql/$workload.sql" | head -1 | tr -d ' ')"
  python3 "$peers/gen-input.py" --rows "$rows" --only "$kind" >&2
fi

JAVA_MODULE_OPTS=(
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$JAVA" "${JAVA_MODULE_OPTS[@]}" ${FLINK_PEER_JAVA_OPTS:-} \
  -Dsluice.peers.dir="$peers" -Djava.io.tmpdir="${TMPDIR:-/tmp}" \
  -cp "$jar:$work/lib/*" sluice.bench.FlinkPeer "$@"
