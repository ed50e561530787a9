#!/usr/bin/env bash
# Builds the Flink Java peer into bench/.work/flink-java:
#   target/sluice-flink-peer-0.1.0.jar   (main class + 'capture' sink + Java UDF)
#   lib/*.jar                            (runtime classpath: Flink 2.3.0 + log4j2)
# Maven's local repository is bench/.work/m2, so nothing is downloaded outside bench/.work.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(cd "$here/../.." && pwd)/.work"
out="$work/flink-java"
mkdir -p "$out" "$work/m2"
mvn_args=(-B -q -f "$here/pom.xml" "-Dmaven.repo.local=$work/m2" "-Dwork.dir=$out")
mvn "${mvn_args[@]}" package -DskipTests
rm -rf "$out/lib"
mvn "${mvn_args[@]}" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$out/lib"
echo "built: $out/target/sluice-flink-peer-0.1.0.jar and $(ls "$out/lib" | wc -l) jars in $out/lib"
