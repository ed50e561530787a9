# shellcheck shell=bash
# Shared helpers for the local stack scripts (sourced, not executed).
#
# Layout (all under $STACK_DIR, default <repo>/.stack, git-ignored):
#   run/<service>.pid     pid of the server process we started
#   logs/<service>.log    stdout/stderr of that server
#   kafka/ mariadb/ elasticsearch/   per-server jars, config and data

STACK_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$STACK_SCRIPTS/.." && pwd)"
STACK_DIR="${SLUICE_STACK_DIR:-$REPO_ROOT/.stack}"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"

ALL_SERVICES=(kafka mariadb elasticsearch)

# Addresses: everything binds to loopback only. A second broker of one's own (the several-machines test,
# test/cluster/several-machines.test.ts) takes another directory, address and ports:
#   SLUICE_STACK_DIR=... SLUICE_STACK_HOST=10.77.0.1 SLUICE_STACK_KAFKA_PORT=19092 bash stack/up.sh kafka
STACK_HOST="${SLUICE_STACK_HOST:-127.0.0.1}"
KAFKA_PORT="${SLUICE_STACK_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${SLUICE_STACK_KAFKA_CONTROLLER_PORT:-9093}"
MARIADB_PORT=3306
ES_HTTP_PORT=9200
ES_TRANSPORT_PORT=9300

# Readiness timeout per server, seconds.
STACK_WAIT_TIMEOUT="${STACK_WAIT_TIMEOUT:-120}"

MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

log()  { printf '[%s] %s\n' "${SVC:-stack}" "$*"; }
warn() { printf '[%s] WARNING: %s\n' "${SVC:-stack}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${SVC:-stack}" "$*" >&2; exit 1; }

now_s() { date +%s; }

# ---------------------------------------------------------------- prerequisites

# Prints the java binary to use; dies with a clear message if none (or too old).
# Order: $STACK_JAVA, $JAVA_HOME/bin/java, `java` on PATH.
find_java() {
  local j=""
  if [[ -n "${STACK_JAVA:-}" ]]; then j="$STACK_JAVA"
  elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then j="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then j="$(command -v java)"
  else
    die "java not found. Install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME / STACK_JAVA."
  fi
  local v
  v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)"
  [[ -n "$v" ]] || die "could not run $j -version"
  if (( ${v%%.*} < 17 )); then
    die "$j is Java $v; Kafka 4 needs Java 17 or newer. Set JAVA_HOME or STACK_JAVA to a JDK 17."
  fi
  printf '%s\n' "$j"
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn (Apache Maven) not found; it is needed once to download the $1 jars. Install it (Debian: apt-get install maven) or put the jars in $2 yourself."
}

require_node() {
  command -v node >/dev/null 2>&1 || die "node not found; the readiness probes (stack/lib/probe.mjs) need Node.js 20+."
}

# Download the runtime dependencies of <pom> into <libs dir>, once.
# A marker file records which coordinates were fetched; a change re-downloads.
maven_fetch_libs() {
  local pom="$1" libs="$2" what="$3" stamp
  stamp="$(md5sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$libs/.complete" && "$(cat "$libs/.complete")" == "$stamp" ]]; then
    return 0
  fi
  require_mvn "$what" "$libs"
  local t0 tmp
  t0=$(now_s)
  tmp="$libs.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$RUN_DIR"
  log "downloading $what jars with Maven (once) ..."
  # One Maven at a time: parallel `up`s share ~/.m2.
  (
    flock 9
    mvn -q -B -f "$pom" "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LOG_DIR/$SVC-maven.log" 2>&1
  ) 9>"$RUN_DIR/maven.lock" || {
    tail -20 "$LOG_DIR/$SVC-maven.log" >&2
    rm -rf "$tmp"
    die "Maven could not download the $what jars (full log: $LOG_DIR/$SVC-maven.log)"
  }
  rm -rf "$libs"
  mv "$tmp" "$libs"
  echo "$stamp" >"$libs/.complete"
  log "jars ready in $libs ($(ls "$libs" | wc -l) files, $(( $(now_s) - t0 ))s)"
}

# ---------------------------------------------------------------- processes

pid_file() { printf '%s/%s.pid\n' "$RUN_DIR" "$1"; }

# Each server's command line carries a marker argument, so a pid from a pid file
# is only trusted if that process really is the server we started (pids get reused).
proc_has_arg() {
  local pid="$1" arg="$2"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$arg"
}

# Prints the pid of our running server <svc> (marker <arg>), or returns 1.
# Cleans up a stale pid file.
running_pid() {
  local svc="$1" marker="$2" pf pid
  pf="$(pid_file "$svc")"
  if [[ -f "$pf" ]]; then
    pid="$(cat "$pf" 2>/dev/null)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && proc_has_arg "$pid" "$marker"; then
      printf '%s\n' "$pid"
      return 0
    fi
    rm -f "$pf"
  fi
  # Pid file lost but our server still running (same marker): adopt it.
  local p
  for p in /proc/[0-9]*; do
    pid="${p#/proc/}"
    if proc_has_arg "$pid" "$marker" && kill -0 "$pid" 2>/dev/null; then
      mkdir -p "$RUN_DIR"
      echo "$pid" >"$pf"
      printf '%s\n' "$pid"
      return 0
    fi
  done
  return 1
}

# True if something listens on TCP <port> (any address). Uses ss when present, so
# no connection is made (MariaDB logs every connection closed before the handshake);
# falls back to a connect to 127.0.0.1:<port>.
port_open() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]]
  else
    timeout 2 bash -c "exec 3<>/dev/tcp/$STACK_HOST/$1" 2>/dev/null
  fi
}

# Describes who listens on <port> (for error messages).
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 pid \2/p' | head -1
  fi
}

# Start "$@" detached (own session, survives the calling shell), stdout+stderr to
# <log>; the final pid (after exec) is written to the pid file of <svc>.
spawn() {
  local svc="$1" logf="$2"; shift 2
  mkdir -p "$RUN_DIR" "$(dirname "$logf")"
  local pf
  pf="$(pid_file "$svc")"
  rm -f "$pf"
  {
    echo
    echo "===== $(date -Is) starting $svc: $*"
  } >>"$logf"
  # fds 8/9 carry the stack's flock locks: the server must not inherit (and hold) them.
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' spawn "$pf" "$@" >>"$logf" 2>&1 </dev/null 8>&- 9>&- &
  local i
  for i in $(seq 50); do
    [[ -s "$pf" ]] && break
    sleep 0.1
  done
  [[ -s "$pf" ]] || die "could not start $svc (no pid file)"
}

# wait_until <timeout s> <description> <pid> <command...>: polls the command
# every 0.5 s; fails early if <pid> dies.
wait_until() {
  local timeout="$1" what="$2" pid="$3"; shift 3
  local deadline=$(( $(now_s) + timeout ))
  while (( $(now_s) < deadline )); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      warn "$what: process $pid exited"
      return 1
    fi
    sleep 0.5
  done
  warn "$what: not ready after ${timeout}s"
  return 1
}

# stop_service <svc> <marker> <grace seconds>: SIGTERM, wait, then SIGKILL.
stop_service() {
  local svc="$1" marker="$2" grace="$3" pid
  if ! pid="$(running_pid "$svc" "$marker")"; then
    log "not running (nothing started by the stack)"
    return 0
  fi
  log "stopping pid $pid (SIGTERM, up to ${grace}s) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(( $(now_s) + grace ))
  while kill -0 "$pid" 2>/dev/null && (( $(now_s) < deadline )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    warn "pid $pid still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$svc")"
  log "stopped"
}

# Validates service names; prints them (all if none given).
select_services() {
  if (( $# == 0 )); then printf '%s\n' "${ALL_SERVICES[@]}"; return; fi
  local s
  for s in "$@"; do
    case "$s" in
      kafka|mariadb|elasticsearch) printf '%s\n' "$s" ;;
      es) printf '%s\n' elasticsearch ;;
      mysql) printf '%s\n' mariadb ;;
      *) SVC=stack die "unknown service '$s' (expected: ${ALL_SERVICES[*]})" ;;
    esac
  done
}
