# Shared by the infra/bin scripts: where things live, how to wait, how to stop.
# shellcheck shell=bash

STRATA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE=${STRATA_STATE:-$STRATA_ROOT/.state}
LOGS=$STATE/logs
RUN=$STATE/run

# Addresses. Every one can be overridden from the environment (see docs/development.md).
PG_PORT=${STRATA_PG_PORT:-5433}
KAFKA_PORT=${STRATA_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${STRATA_KAFKA_CONTROLLER_PORT:-9093}
KEYCLOAK_PORT=${STRATA_KEYCLOAK_PORT:-8180}
KEYCLOAK_MANAGEMENT_PORT=${STRATA_KEYCLOAK_MANAGEMENT_PORT:-8190}
CONSOLE_PORT=${STRATA_CONSOLE_PORT:-8080}
CONTROL_PLANE_PORT=${STRATA_CONTROL_PLANE_PORT:-8081}
BILLING_PORT=${STRATA_BILLING_PORT:-8082}
AGENT_PORT=${STRATA_AGENT_PORT:-8083}
# The local stack runs two storage nodes (two agents) in two zones, so that spread NODE (the API's
# default) and highly available arrays work: node 1 on 127.0.0.1, node 2 on 127.0.0.2 (Linux
# routes all of 127.0.0.0/8 to the loopback device), each with its own REST and drive export port.
AGENT_2_PORT=${STRATA_AGENT_2_PORT:-8084}
AGENT_ADDRESS=${STRATA_AGENT_ADDRESS:-127.0.0.1}
AGENT_2_ADDRESS=${STRATA_AGENT_2_ADDRESS:-127.0.0.2}
AGENT_DRIVE_PORT=${STRATA_AGENT_DRIVE_PORT:-3259}
AGENT_2_DRIVE_PORT=${STRATA_AGENT_2_DRIVE_PORT:-3258}
PROMETHEUS_PORT=${STRATA_PROMETHEUS_PORT:-9090}

KAFKA_VERSION=4.4.0
KEYCLOAK_VERSION=26.7.3
KAFKA_HOME=$STATE/kafka
KEYCLOAK_HOME=$STATE/keycloak/keycloak-$KEYCLOAK_VERSION

mkdir -p "$LOGS" "$RUN"

log() { printf '[strata] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until DESCRIPTION SECONDS COMMAND...: polls COMMAND every half second.
wait_until() {
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "$what not ready after ${limit}s"
      return 1
    fi
    sleep 0.5
  done
}

pid_of() { [ -f "$RUN/$1.pid" ] && cat "$RUN/$1.pid"; }
running() { local p; p=$(pid_of "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# stop_process NAME: SIGTERM by saved PID, SIGKILL after 30 s.
stop_process() {
  local name=$1 pid
  pid=$(pid_of "$name") || return 0
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$RUN/$name.pid"
}

# start_process NAME LOGFILE COMMAND...: runs COMMAND in the background, saving its PID.
# setsid, not nohup: its own session already keeps it from a terminal's hangup, while nohup
# would leave SIGHUP ignored, which every child inherits: the agent's engines would then never
# see the SIGHUP that makes them re-read their layout (the JVM installs no handler for a SIGHUP
# ignored at start), and a running array would silently stop taking changes.
start_process() {
  local name=$1 logfile=$2; shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

# ensure_packages PKG...: installs the Debian packages that are missing (apt-get update once).
ensure_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  if [ ! -f "$STATE/.apt-updated" ] || [ -n "$(find "$STATE/.apt-updated" -mmin +720)" ]; then
    $sudo apt-get update -qq && touch "$STATE/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOGS/apt.log" 2>&1 \
    || { tail -20 "$LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
}

ensure_jdk() {
  command -v javac >/dev/null || ensure_packages openjdk-17-jdk-headless
  command -v curl >/dev/null || ensure_packages curl
}

mvnw() { "$STRATA_ROOT/mvnw" -B -ntp "$@"; }
