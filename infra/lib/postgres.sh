# PostgreSQL from Debian's package, a private cluster under the state folder, run as `postgres`.
# shellcheck shell=bash

PG_DATA=$STATE/postgres/data
PG_SOCKET_DIR=$STATE/postgres/socket
PG_DATABASES=(strata_control_plane strata_billing)

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && echo "$dir"
}

pg_psql() { runuser -u postgres -- "$(pg_bin)/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

pg_as_strata() { PGPASSWORD=strata "$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U strata -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

postgres_up() {
  [ -n "$(pg_bin)" ] || ensure_packages postgresql
  if ! pg_ours_running && port_open "$PG_PORT"; then
    # Another checkout's stack (another state folder) already serves this port: share it.
    pg_as_strata -c "SELECT 1" >/dev/null 2>&1 || die "port $PG_PORT is taken by something that is not Strata's PostgreSQL"
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT (started from another state folder)"
    postgres_create_databases
    return 0
  fi
  local bin; bin=$(pg_bin)
  mkdir -p "$STATE/postgres" "$PG_SOCKET_DIR"
  touch "$LOGS/postgres.log"
  chown postgres "$STATE/postgres" "$PG_SOCKET_DIR" "$LOGS/postgres.log"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL in $PG_DATA"
    runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 >>"$LOGS/postgres.log" 2>&1 || die "initdb failed (see $LOGS/postgres.log)"
  fi
  if pg_ours_running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$LOGS/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_SOCKET_DIR -c max_connections=400 -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null \
      || die "PostgreSQL did not start (see $LOGS/postgres.log)"
  fi
  head -1 "$PG_DATA/postmaster.pid" >"$RUN/postgres.pid"
  if [ "$(pg_psql -c "SELECT 1 FROM pg_roles WHERE rolname='strata'")" != 1 ]; then
    pg_psql -c "CREATE ROLE strata LOGIN CREATEDB PASSWORD 'strata'"
  fi
  postgres_create_databases
}

postgres_create_databases() {
  local db
  for db in "${PG_DATABASES[@]}"; do
    [ "$(pg_as_strata -c "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] || pg_as_strata -c "CREATE DATABASE $db"
  done
}

pg_ours_running() { [ -f "$PG_DATA/PG_VERSION" ] && runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

postgres_down() {
  local bin; bin=$(pg_bin) || return 0
  if [ -f "$PG_DATA/PG_VERSION" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
  rm -f "$RUN/postgres.pid"
}

postgres_status() {
  if [ -n "$(pg_bin)" ] && pg_ours_running; then
    echo "postgres   running  127.0.0.1:$PG_PORT"
  elif port_open "$PG_PORT"; then
    echo "postgres   shared   127.0.0.1:$PG_PORT (started from another state folder)"
  else
    echo "postgres   stopped"
  fi
}
