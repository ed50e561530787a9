#!/usr/bin/env bash
# Start the local stack (default: kafka mariadb elasticsearch), bound to 127.0.0.1,
# data and logs under <repo>/.stack. Idempotent: servers already running are left alone.
#   bash stack/up.sh [kafka|mariadb|elasticsearch ...]
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$STACK_SCRIPTS/lib/kafka.sh"
source "$STACK_SCRIPTS/lib/mariadb.sh"
source "$STACK_SCRIPTS/lib/elasticsearch.sh"

list="$(select_services "$@")" || exit 2
mkdir -p "$RUN_DIR" "$LOG_DIR"
t0=$(now_s)

# Servers come up in parallel (Maven runs are serialised by a lock). A lock per
# server makes concurrent `up`s wait for each other instead of racing.
up_locked() {
  local s="$1" fn="$2"
  (
    flock 8
    "$fn"
  ) 8>"$RUN_DIR/$s.lock"
}
declare -A jobs=()
for s in $list; do
  case "$s" in
    kafka) up_locked kafka kafka_up & ;;
    mariadb) up_locked mariadb mariadb_up & ;;
    elasticsearch) up_locked elasticsearch es_up & ;;
  esac
  jobs[$s]=$!
done

failed=()
for s in $list; do
  wait "${jobs[$s]}" || failed+=("$s")
done

echo
for s in $list; do
  case "$s" in
    kafka) kafka_status ;;
    mariadb) mariadb_status ;;
    elasticsearch) es_status ;;
  esac
done
echo "up took $(( $(now_s) - t0 ))s; logs in $LOG_DIR"
if (( ${#failed[@]} )); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
