# shellcheck shell=bash
# Connection settings of the local stack, for tests and jobs:
#   source stack/env.sh        (or: eval "$(bash stack/env.sh)")
# Values already set in the environment win.
export KAFKA_BOOTSTRAP="${KAFKA_BOOTSTRAP:-127.0.0.1:9092}"

export MYSQL_HOST="${MYSQL_HOST:-127.0.0.1}"
export MYSQL_PORT="${MYSQL_PORT:-3306}"
export MYSQL_DATABASE="${MYSQL_DATABASE:-sql-demo}"
export MYSQL_USER="${MYSQL_USER:-sql-demo}"
export MYSQL_PASSWORD="${MYSQL_PASSWORD:-demo-sql}"
export MYSQL_URL="${MYSQL_URL:-mysql://$MYSQL_USER:$MYSQL_PASSWORD@$MYSQL_HOST:$MYSQL_PORT/$MYSQL_DATABASE}"
# the form a Flink 'jdbc' connector's 'url' option takes
export MYSQL_JDBC_URL="${MYSQL_JDBC_URL:-jdbc:mysql://$MYSQL_HOST:$MYSQL_PORT/$MYSQL_DATABASE}"

export ES_URL="${ES_URL:-http://127.0.0.1:9200}"

# When executed rather than sourced, print the settings as shell exports.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  for v in KAFKA_BOOTSTRAP MYSQL_HOST MYSQL_PORT MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD MYSQL_URL MYSQL_JDBC_URL ES_URL; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
fi
