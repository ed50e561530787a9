#!/usr/bin/env bash
# Stop the servers that stack/up.sh started (by pid file; SIGTERM, then SIGKILL after a grace period).
# Servers the stack did not start are never touched. Data in <repo>/.stack is kept.
#   bash stack/down.sh [kafka|mariadb|elasticsearch ...]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$STACK_SCRIPTS/lib/kafka.sh"
source "$STACK_SCRIPTS/lib/mariadb.sh"
source "$STACK_SCRIPTS/lib/elasticsearch.sh"

list="$(select_services "$@")" || exit 2
declare -A jobs=()
for s in $list; do
  case "$s" in
    kafka) kafka_down & ;;
    mariadb) mariadb_down & ;;
    elasticsearch) es_down & ;;
  esac
  jobs[$s]=$!
done
rc=0
for s in $list; do wait "${jobs[$s]}" || rc=1; done
exit $rc
