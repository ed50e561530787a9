#!/usr/bin/env bash
# One line per server: name, up/down/starting/foreign, address, pid.
# Exit code 0 only if every listed server (default: all) is up.
#   bash stack/status.sh [kafka|mariadb|elasticsearch ...]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$STACK_SCRIPTS/lib/kafka.sh"
source "$STACK_SCRIPTS/lib/mariadb.sh"
source "$STACK_SCRIPTS/lib/elasticsearch.sh"

list="$(select_services "$@")" || exit 2
rc=0
for s in $list; do
  case "$s" in
    kafka) kafka_status || rc=1 ;;
    mariadb) mariadb_status || rc=1 ;;
    elasticsearch) es_status || rc=1 ;;
  esac
done
exit $rc
