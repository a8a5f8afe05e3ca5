# The cluster stack: every server of the local stack doubled or tripled on this one machine, on
# loopback, with its own ports and its own state folder (.state/cluster), beside the normal stack
# (infra/bin/stack up --cluster; docs/operations.md).
#   Kafka        3 combined KRaft brokers/controllers, topics with 3 copies, 2 in sync
#   PostgreSQL   pg_auto_failover: a monitor, a primary and a synchronous standby; clients use a
#                multi-host JDBC URL that follows the primary
#   Keycloak     2 nodes, one Infinispan cluster (JGroups JDBC_PING over the cluster PostgreSQL)
#   Strata       2 replicas each of the control plane, billing and the web console behind
#                HAProxy (health checks on /q/health/ready), and 3 agents (nodes 1-3, zones a-c)
# shellcheck shell=bash

CLUSTER=$STATE/cluster
# start_process, stop_process and running keep PIDs in $RUN and logs go to $LOGS: the cluster's own.
LOGS=$CLUSTER/logs
RUN=$CLUSTER/run
mkdir -p "$LOGS" "$RUN"

# ---- Ports (none shared with the normal stack: 5433, 9092-9093, 8180/8190, 8080-8084, 3258-3259, 9090)
CLUSTER_KAFKA_PORTS=(19092 19093 19094)
CLUSTER_KAFKA_CONTROLLER_PORTS=(19192 19193 19194)
CLUSTER_PG_MONITOR_PORT=15440
CLUSTER_PG_PORTS=(15441 15442)
CLUSTER_KEYCLOAK_PORTS=(18180 18181)
CLUSTER_KEYCLOAK_MANAGEMENT_PORTS=(18190 18191)
CLUSTER_KEYCLOAK_JGROUPS_PORTS=(17800 17810)
# HAProxy's frontends: what clients use.
CLUSTER_LB_CONSOLE_PORT=28080
CLUSTER_LB_CONTROL_PLANE_PORT=28081
CLUSTER_LB_BILLING_PORT=28082
CLUSTER_LB_KEYCLOAK_PORT=28180
CLUSTER_LB_STATS_PORT=28404
CLUSTER_CONTROL_PLANE_PORTS=(18081 18091)
CLUSTER_BILLING_PORTS=(18082 18092)
CLUSTER_CONSOLE_PORTS=(18080 18090)
# Three storage nodes on addresses of their own (the normal stack's agents use 127.0.0.1 and
# 127.0.0.2), so that the engines' portals (ports from 3261 per address) never clash with it.
CLUSTER_AGENT_PORTS=(18083 18084 18085)
CLUSTER_AGENT_ADDRESSES=(127.0.1.1 127.0.1.2 127.0.1.3)
CLUSTER_AGENT_DRIVE_PORTS=(13259 13258 13257)
CLUSTER_AGENT_ZONES=(zone-a zone-b zone-c)

CLUSTER_KAFKA_BOOTSTRAP=127.0.0.1:${CLUSTER_KAFKA_PORTS[0]},127.0.0.1:${CLUSTER_KAFKA_PORTS[1]},127.0.0.1:${CLUSTER_KAFKA_PORTS[2]}
CLUSTER_OIDC_URL=http://127.0.0.1:$CLUSTER_LB_KEYCLOAK_PORT/realms/strata

# jdbc:postgresql://both nodes/DB?targetServerType=primary: the driver tries the nodes in turn and
# keeps the one that takes writes; hostRecheckSeconds=2 lets it see a promoted standby soon after
# a failover (the default would keep the old roles for 10 s).
cluster_jdbc_url() {
  echo "jdbc:postgresql://127.0.0.1:${CLUSTER_PG_PORTS[0]},127.0.0.1:${CLUSTER_PG_PORTS[1]}/$1?targetServerType=primary&hostRecheckSeconds=2&connectTimeout=5"
}

# cluster_wait NAME DESCRIPTION SECONDS COMMAND...: wait_until, giving up at once when the
# process NAME has exited (a bad option, a port taken) rather than after the whole limit.
cluster_wait() {
  local name=$1; shift
  cluster_alive_and() { running "$name" || { log "$name exited"; return 2; }; "$@" || return 1; }
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit)) rc
  while true; do
    rc=0; cluster_alive_and "$@" || rc=$?
    ((rc == 0)) && return 0
    ((rc == 2)) && return 1
    ((SECONDS >= deadline)) && { log "$what not ready after ${limit}s"; return 1; }
    sleep 0.5
  done
}

# ---- Kafka ---------------------------------------------------------------------------------

cluster_kafka_up() {
  distributions_fetch
  local i id voters="" cluster_id cluster_id_file
  for i in 0 1 2; do voters+="${voters:+,}$((i + 1))@127.0.0.1:${CLUSTER_KAFKA_CONTROLLER_PORTS[$i]}"; done
  cluster_id_file=$CLUSTER/kafka/cluster-id
  mkdir -p "$CLUSTER/kafka"
  if [ ! -s "$cluster_id_file" ]; then
    kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka-1.log" | tail -n 1 >"$cluster_id_file"
  fi
  cluster_id=$(cat "$cluster_id_file")
  for i in 0 1 2; do
    id=$((i + 1))
    if running "kafka-$id"; then log "Kafka node $id already running"; continue; fi
    local config=$CLUSTER/kafka/node-$id.properties data=$CLUSTER/kafka/data-$id
    sed -e "s#@NODE_ID@#$id#g" -e "s#@VOTERS@#$voters#g" -e "s#@PORT@#${CLUSTER_KAFKA_PORTS[$i]}#g" \
      -e "s#@CONTROLLER_PORT@#${CLUSTER_KAFKA_CONTROLLER_PORTS[$i]}#g" -e "s#@DATA@#$data#g" \
      "$STRATA_ROOT/infra/cluster/kafka.properties" >"$config"
    if [ ! -f "$data/meta.properties" ]; then
      kafka_java kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$config" >>"$LOGS/kafka-$id.log" 2>&1 \
        || die "formatting Kafka node $id failed (see $LOGS/kafka-$id.log)"
    fi
    log "starting Kafka node $id on 127.0.0.1:${CLUSTER_KAFKA_PORTS[$i]}"
    start_process "kafka-$id" "$LOGS/kafka-$id.log" java -Xms128m -Xmx384m \
      -Dlog4j2.configurationFile="$STRATA_ROOT/infra/kafka/log4j2.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$config"
  done
}

cluster_kafka_ready() {
  local id
  for id in 1 2 3; do running "kafka-$id" && grep -q "Kafka Server started" "$LOGS/kafka-$id.log" || return 1; done
}

# ---- PostgreSQL with pg_auto_failover ------------------------------------------------------

CLUSTER_PG=$CLUSTER/postgres
CLUSTER_PG_MONITOR_URI="postgres://autoctl_node@127.0.0.1:$CLUSTER_PG_MONITOR_PORT/pg_auto_failover?sslmode=disable"

# pg_autoctl as the postgres user (it refuses root), with its configuration under our folder.
# setpriv execs (no child left behind), so a saved PID is pg_autoctl's own.
pg_autoctl_argv() {
  PG_AUTOCTL=(setpriv --reuid=postgres --regid=postgres --init-groups
    env HOME="$CLUSTER_PG" XDG_CONFIG_HOME="$CLUSTER_PG/config" XDG_DATA_HOME="$CLUSTER_PG/share"
    PATH="$(pg_bin):$PATH" pg_autoctl)
}

# initdb ourselves, before pg_autoctl adopts the folder: loopback only (pg_autoctl's own
# settings would listen on every address; postgresql.auto.conf is read last and wins), enough
# connections for two replicas of each service and two Keycloak nodes, and password-less
# connections from loopback only (a throwaway local cluster; the normal stack keeps passwords).
cluster_pg_initdb() {
  local pgdata=$1
  [ -f "$pgdata/PG_VERSION" ] && return 0
  runuser -u postgres -- "$(pg_bin)/initdb" -D "$pgdata" -U postgres -E UTF8 --no-locale --auth=trust >>"$LOGS/postgres-init.log" 2>&1 \
    || die "initdb $pgdata failed (see $LOGS/postgres-init.log)"
  cat >>"$pgdata/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 128MB
CONF
}

cluster_pg_monitor_up() {
  if running pg-monitor; then log "pg_auto_failover monitor already running"; return 0; fi
  local pgdata=$CLUSTER_PG/monitor
  cluster_pg_initdb "$pgdata"
  log "starting the pg_auto_failover monitor on 127.0.0.1:$CLUSTER_PG_MONITOR_PORT"
  if [ ! -f "$CLUSTER_PG/.monitor-created" ]; then
    # created, then told to listen on loopback only (create monitor has no --listen), then run
    "${PG_AUTOCTL[@]}" create monitor --pgdata "$pgdata" --pgport "$CLUSTER_PG_MONITOR_PORT" --hostname 127.0.0.1 \
      --auth trust --no-ssl --pgctl "$(pg_bin)/pg_ctl" >>"$LOGS/pg-monitor.log" 2>&1 \
      || die "pg_autoctl create monitor failed (see $LOGS/pg-monitor.log)"
    "${PG_AUTOCTL[@]}" config set --pgdata "$pgdata" postgresql.listen_addresses 127.0.0.1 >/dev/null
    touch "$CLUSTER_PG/.monitor-created"
  fi
  start_process pg-monitor "$LOGS/pg-monitor.log" "${PG_AUTOCTL[@]}" run --pgdata "$pgdata"
}

cluster_pg_monitor_ready() { pg_monitor_sql -c "SELECT 1" >/dev/null 2>&1; }

# Faster than pg_auto_failover's defaults (a node is unhealthy after 20 s, a lost primary is
# assumed demoted after 30 s): on one machine there is no slow network to wait out.
cluster_pg_monitor_tune() {
  "$(pg_bin)/psql" -h 127.0.0.1 -p "$CLUSTER_PG_MONITOR_PORT" -U postgres -d pg_auto_failover -qAt \
    -c "ALTER SYSTEM SET pgautofailover.health_check_period = 2000" \
    -c "ALTER SYSTEM SET pgautofailover.health_check_timeout = 2000" \
    -c "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 1000" \
    -c "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 6000" \
    -c "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 10000" \
    -c "SELECT pg_reload_conf()" >/dev/null
}

pg_monitor_sql() { "$(pg_bin)/psql" -h 127.0.0.1 -p "$CLUSTER_PG_MONITOR_PORT" -U autoctl_node -d pg_auto_failover -qAt "$@"; }

# cluster_pg_node_up N: data node N (1 or 2). The first registered becomes the primary, the next
# its synchronous standby (pg_auto_failover's default replication quorum).
cluster_pg_node_up() {
  local n=$1 port=${CLUSTER_PG_PORTS[$(($1 - 1))]} pgdata=$CLUSTER_PG/node$1
  if running "pg-node$n"; then log "PostgreSQL node$n already running"; return 0; fi
  # the first node is initialised here; a standby is a copy of the primary (pg_basebackup)
  [ "$n" = 1 ] && cluster_pg_initdb "$pgdata"
  log "starting PostgreSQL node$n (pg_auto_failover keeper) on 127.0.0.1:$port"
  if [ -f "$CLUSTER_PG/.node$n-created" ]; then
    start_process "pg-node$n" "$LOGS/pg-node$n.log" "${PG_AUTOCTL[@]}" run --pgdata "$pgdata"
  else
    start_process "pg-node$n" "$LOGS/pg-node$n.log" "${PG_AUTOCTL[@]}" create postgres --pgdata "$pgdata" \
      --pgport "$port" --listen 127.0.0.1 --hostname 127.0.0.1 --name "node$n" --monitor "$CLUSTER_PG_MONITOR_URI" \
      --auth trust --no-ssl --pgctl "$(pg_bin)/pg_ctl" --run
    touch "$CLUSTER_PG/.node$n-created"
  fi
}

# The state the monitor gives node N: primary, secondary, wait_primary, catchingup, ...
cluster_pg_node_state() { pg_monitor_sql -c "SELECT reportedstate FROM pgautofailover.node WHERE nodename = 'node$1'" 2>/dev/null; }
cluster_pg_primary() { pg_monitor_sql -c "SELECT nodename FROM pgautofailover.node WHERE reportedstate IN ('primary','wait_primary','single') AND goalstate = reportedstate" 2>/dev/null | head -1; }
cluster_pg_node_is() { [ "$(cluster_pg_node_state "$1")" = "$2" ]; }

# SQL on the current primary, through the same multi-host route the services use.
cluster_pg_sql() {
  "$(pg_bin)/psql" "postgresql://postgres@127.0.0.1:${CLUSTER_PG_PORTS[0]},127.0.0.1:${CLUSTER_PG_PORTS[1]}/postgres?target_session_attrs=read-write&connect_timeout=3" \
    -v ON_ERROR_STOP=1 -qAt "$@"
}

cluster_pg_databases() {
  [ "$(cluster_pg_sql -c "SELECT 1 FROM pg_roles WHERE rolname='strata'")" = 1 ] \
    || cluster_pg_sql -c "CREATE ROLE strata LOGIN CREATEDB PASSWORD 'strata'"
  local db
  for db in strata_control_plane strata_billing keycloak; do
    [ "$(cluster_pg_sql -c "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] || cluster_pg_sql -c "CREATE DATABASE $db OWNER strata"
  done
}

cluster_postgres_up() {
  [ -n "$(pg_bin)" ] || ensure_packages postgresql
  command -v pg_autoctl >/dev/null || ensure_packages pg-auto-failover-cli "postgresql-$(basename "$(dirname "$(pg_bin)")")-auto-failover"
  pg_autoctl_argv
  mkdir -p "$CLUSTER_PG/config" "$CLUSTER_PG/share"
  touch "$LOGS/postgres-init.log"
  chown -R postgres "$CLUSTER_PG" "$LOGS/postgres-init.log"
  cluster_pg_monitor_up
  cluster_wait pg-monitor "the pg_auto_failover monitor" 120 cluster_pg_monitor_ready || { tail -20 "$LOGS/pg-monitor.log" >&2; die "the monitor did not start"; }
  cluster_pg_monitor_tune
  cluster_pg_node_up 1
  cluster_wait pg-node1 "PostgreSQL node1" 180 cluster_pg_has_primary || { tail -20 "$LOGS/pg-node1.log" >&2; die "PostgreSQL node1 did not become primary"; }
  cluster_pg_node_up 2
  cluster_wait pg-node2 "PostgreSQL node2" 300 cluster_pg_has_secondary || { tail -20 "$LOGS/pg-node2.log" >&2; die "PostgreSQL node2 did not become the standby"; }
  cluster_pg_databases
}

# Asked of the servers themselves, not only the monitor: after a restart the monitor still shows
# the states the nodes last reported.
cluster_pg_has_primary() { [ -n "$(cluster_pg_primary)" ] && [ "$(cluster_pg_sql -c "SELECT 1" 2>/dev/null)" = 1 ]; }
cluster_pg_has_secondary() {
  [ -n "$(pg_monitor_sql -c "SELECT 1 FROM pgautofailover.node WHERE reportedstate = 'secondary' AND goalstate = 'secondary'" 2>/dev/null)" ] \
    && [ -n "$(cluster_pg_sql -c "SELECT 1 FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum') AND state = 'streaming'" 2>/dev/null)" ]
}

# ---- Keycloak: two nodes of one Infinispan cluster -----------------------------------------

# Each node has its own copy of the distribution, built once for PostgreSQL and the clustered
# cache (production mode: start-dev would run a local cache and its own H2 database).
cluster_keycloak_install() {
  distributions_fetch
  local marker=$CLUSTER/keycloak/.built-$KEYCLOAK_VERSION n
  [ -f "$marker" ] && return 0
  rm -rf "$CLUSTER/keycloak"
  mkdir -p "$CLUSTER/keycloak"
  cp -a "$KEYCLOAK_HOME" "$CLUSTER/keycloak/node1"
  rm -rf "$CLUSTER/keycloak/node1/data"
  log "building Keycloak for PostgreSQL and a clustered cache"
  "$CLUSTER/keycloak/node1/bin/kc.sh" build --db=postgres --cache=ispn --health-enabled=true >"$LOGS/keycloak-build.log" 2>&1 \
    || { tail -20 "$LOGS/keycloak-build.log" >&2; die "kc.sh build failed"; }
  for n in 2; do cp -a "$CLUSTER/keycloak/node1" "$CLUSTER/keycloak/node$n"; done
  touch "$marker"
}

cluster_keycloak_up() {
  cluster_keycloak_install
  local i n import=()
  for i in 0 1; do
    n=$((i + 1))
    if running "keycloak-$n"; then log "Keycloak node $n already running"; continue; fi
    import=()
    # node 1 imports the realm (skipped when it exists); node 2 finds it in the shared database
    if [ "$n" = 1 ]; then
      mkdir -p "$CLUSTER/keycloak/node1/data/import"
      sed -e "s#http://127.0.0.1:8080/\*#http://127.0.0.1:$CLUSTER_LB_CONSOLE_PORT/*#g" \
        "$KEYCLOAK_REALM_FILE" >"$CLUSTER/keycloak/node1/data/import/strata-realm.json"
      import=(--import-realm)
    fi
    log "starting Keycloak node $n on http://127.0.0.1:${CLUSTER_KEYCLOAK_PORTS[$i]}"
    # --hostname: both nodes issue tokens for the address behind HAProxy, the one clients use.
    KC_BOOTSTRAP_ADMIN_USERNAME=${STRATA_KEYCLOAK_ADMIN:-admin} KC_BOOTSTRAP_ADMIN_PASSWORD=${STRATA_KEYCLOAK_ADMIN_PASSWORD:-admin} \
    JAVA_OPTS_KC_HEAP="-Xms128m -Xmx512m" \
      start_process "keycloak-$n" "$LOGS/keycloak-$n.log" "$CLUSTER/keycloak/node$n/bin/kc.sh" start --optimized \
        --http-enabled=true --http-host=127.0.0.1 --http-port="${CLUSTER_KEYCLOAK_PORTS[$i]}" \
        --http-management-port="${CLUSTER_KEYCLOAK_MANAGEMENT_PORTS[$i]}" \
        --hostname="http://127.0.0.1:$CLUSTER_LB_KEYCLOAK_PORT" --hostname-backchannel-dynamic=false \
        --db-url="$(cluster_jdbc_url keycloak)" --db-username=strata --db-password=strata --db-pool-max-size=15 \
        --cache-stack=jdbc-ping --cache-embedded-network-bind-address=127.0.0.1 \
        --cache-embedded-network-bind-port="${CLUSTER_KEYCLOAK_JGROUPS_PORTS[$i]}" "${import[@]}"
    # two nodes migrating an empty database at once wait on each other's lock: start the second
    # once the first has its schema
    if [ "$n" = 1 ]; then
      cluster_wait keycloak-1 "Keycloak node 1" 600 cluster_keycloak_node_ready 1 \
        || { tail -30 "$LOGS/keycloak-1.log" >&2; die "Keycloak node 1 did not start"; }
    fi
  done
}

cluster_keycloak_node_ready() { curl -sf -o /dev/null "http://127.0.0.1:${CLUSTER_KEYCLOAK_MANAGEMENT_PORTS[$(($1 - 1))]}/health/ready"; }

# ---- Strata's services ---------------------------------------------------------------------

# name|module|port|own environment|wave, like STRATA_SERVICES in services.sh. Wave 2 (the
# second replicas) starts once wave 1 is ready: it spreads the start's load (the demo seeding,
# which two replicas once raced on, takes an advisory lock now: docs/replicas.md, N6).
cluster_services() {
  local i n
  for i in 0 1; do
    n=$((i + 1))
    echo "control-plane-$n|control-plane/service|${CLUSTER_CONTROL_PLANE_PORTS[$i]}|STRATA_DB_URL=$(cluster_jdbc_url strata_control_plane)|$n"
    echo "billing-$n|billing|${CLUSTER_BILLING_PORTS[$i]}|STRATA_BILLING_DEMO_PRICE_PLAN=true STRATA_BILLING_DB_URL=$(cluster_jdbc_url strata_billing)|$n"
  done
  for i in 0 1 2; do
    n=$((i + 1))
    echo "agent-$n|array-agent/agent|${CLUSTER_AGENT_PORTS[$i]}|STRATA_NODE_ID=$n STRATA_ZONE=${CLUSTER_AGENT_ZONES[$i]} STRATA_NODE_ADDRESS=${CLUSTER_AGENT_ADDRESSES[$i]} STRATA_DRIVE_PORTAL_PORT=${CLUSTER_AGENT_DRIVE_PORTS[$i]} STRATA_AGENT_DATA_DIR=$CLUSTER/agents/agent-$n|1"
  done
  for i in 0 1; do
    n=$((i + 1))
    echo "web-console-$n|web-console|${CLUSTER_CONSOLE_PORTS[$i]}||$n"
  done
}

# cluster_start_service NAME JAR PORT HEAP SECRETS_KEY OWN_ENV: one Quarkus service or agent of the
# cluster (the scale drill starts its extra agents with it too).
cluster_start_service() {
  local name=$1 jar=$2 port=$3 heap=$4 key=$5 own=$6
  # every replica and agent sees the whole cluster: three brokers (topics with 3 copies, 2 in
  # sync), Keycloak and the other services behind HAProxy
  # shellcheck disable=SC2086 # $own is a list of KEY=VALUE words on purpose
  STRATA_SECRETS_KEY=$key STRATA_HTTP_PORT=$port STRATA_STATE=$CLUSTER STRATA_DEMO_TENANTS=acme,globex \
  STRATA_KAFKA=$CLUSTER_KAFKA_BOOTSTRAP STRATA_KAFKA_BOOTSTRAP=$CLUSTER_KAFKA_BOOTSTRAP \
  STRATA_KAFKA_REPLICATION_FACTOR=3 STRATA_KAFKA_MIN_INSYNC_REPLICAS=2 \
  STRATA_OIDC_URL=$CLUSTER_OIDC_URL STRATA_KEYCLOAK_URL=http://127.0.0.1:$CLUSTER_LB_KEYCLOAK_PORT \
  STRATA_CONTROL_PLANE_URL=http://127.0.0.1:$CLUSTER_LB_CONTROL_PLANE_PORT/api/v1 \
  STRATA_BILLING_URL=http://127.0.0.1:$CLUSTER_LB_BILLING_PORT/api/v1 \
    start_process "$name" "$LOGS/$name.log" env $own java "$heap" -XX:+UseSerialGC \
      -XX:+ExitOnOutOfMemoryError -jar "$jar"
}

cluster_services_up() {
  cluster_services_wave_up 1
  cluster_services_wave_up 2
}

# cluster_services_wave_up WAVE: starts the wave's services that are not running, waits for all.
cluster_services_wave_up() {
  local wave=$1 entry name module port own jar key heap
  key=$(secrets_key)
  [ "$(uname -s)" = Linux ] || die "the cluster's storage nodes use 127.0.1.x, which only Linux answers without aliases"
  while IFS= read -r entry; do
    [ "$(service_field "$entry" 4)" = "$wave" ] || continue
    name=$(service_field "$entry" 0); module=$(service_field "$entry" 1); port=$(service_field "$entry" 2)
    own=$(service_field "$entry" 3)
    if running "$name"; then log "$name already running on :$port"; continue; fi
    jar=$STRATA_ROOT/$module/target/quarkus-app/quarkus-run.jar
    [ -f "$jar" ] || die "$jar is missing: build first"
    heap=-Xmx320m
    [ "$module" = web-console ] && heap=-Xmx192m
    log "starting $name on http://127.0.0.1:$port"
    cluster_start_service "$name" "$jar" "$port" "$heap" "$key" "$own"
  done < <(cluster_services)
  while IFS= read -r entry; do
    [ "$(service_field "$entry" 4)" = "$wave" ] || continue
    name=$(service_field "$entry" 0); port=$(service_field "$entry" 2)
    cluster_wait "$name" "$name" 600 service_ready "$port" || { tail -30 "$LOGS/$name.log" >&2; die "$name did not become ready"; }
  done < <(cluster_services)
}

# ---- HAProxy -------------------------------------------------------------------------------

cluster_haproxy_config() {
  local config=$CLUSTER/haproxy.cfg
  {
    cat <<CFG
# Written by infra/lib/cluster.sh at every start; edit that, not this.
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # A replica that refuses the connection (killed): the request goes to the other one. A
    # replica that closed it without an answer (killed while the request was in flight): the
    # request is sent again to the other one only if it is a read (disable-l7-retry in each
    # section); a create or a change may have been done, and is the client's to retry (with an
    # Idempotency-Key for a create).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option httplog
    log stdout format raw local0 info
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
    # A replica's health answer may take seconds on a loaded machine (the scale drill saw load
    # 20-70 on 2 cores): without this the check timed out after inter (1 s), two such marked a
    # live replica DOWN and shut its sessions, failing every request in flight. A killed replica
    # refuses the connection and is marked down as fast as before.
    timeout check 3s

listen stats
    bind 127.0.0.1:$CLUSTER_LB_STATS_PORT
    stats enable
    stats uri /
CFG
    cluster_haproxy_backend control-plane "$CLUSTER_LB_CONTROL_PLANE_PORT" /q/health/ready "${CLUSTER_CONTROL_PLANE_PORTS[@]}"
    cluster_haproxy_backend billing "$CLUSTER_LB_BILLING_PORT" /q/health/ready "${CLUSTER_BILLING_PORTS[@]}"
    cluster_haproxy_backend web-console "$CLUSTER_LB_CONSOLE_PORT" /q/health/ready "${CLUSTER_CONSOLE_PORTS[@]}"
    # Keycloak answers health on its management port; browsers stick to one node (Keycloak's
    # advice), though any node can serve any session.
    cat <<CFG

listen keycloak
    bind 127.0.0.1:$CLUSTER_LB_KEYCLOAK_PORT
    balance roundrobin
    cookie KC_ROUTE insert indirect nocache
    http-request disable-l7-retry unless METH_GET || METH_OPTIONS
    option httpchk GET /health/ready
    server keycloak-1 127.0.0.1:${CLUSTER_KEYCLOAK_PORTS[0]} check port ${CLUSTER_KEYCLOAK_MANAGEMENT_PORTS[0]} cookie k1
    server keycloak-2 127.0.0.1:${CLUSTER_KEYCLOAK_PORTS[1]} check port ${CLUSTER_KEYCLOAK_MANAGEMENT_PORTS[1]} cookie k2
CFG
  } >"$config"
  echo "$config"
}

# cluster_haproxy_backend NAME FRONTEND_PORT HEALTH_PATH REPLICA_PORT...
cluster_haproxy_backend() {
  local name=$1 port=$2 health=$3 i=0 replica; shift 3
  printf '\nlisten %s\n    bind 127.0.0.1:%s\n    balance roundrobin\n    option httpchk GET %s\n    http-check expect status 200\n    http-request disable-l7-retry unless METH_GET || METH_OPTIONS\n' \
    "$name" "$port" "$health"
  for replica in "$@"; do
    i=$((i + 1))
    printf '    server %s-%s 127.0.0.1:%s check\n' "$name" "$i" "$replica"
  done
}

cluster_haproxy_up() {
  command -v haproxy >/dev/null || ensure_packages haproxy
  if running haproxy; then log "HAProxy already running"; return 0; fi
  local config; config=$(cluster_haproxy_config)
  haproxy -c -q -f "$config" || die "HAProxy refused $config"
  log "starting HAProxy: console :$CLUSTER_LB_CONSOLE_PORT, control plane :$CLUSTER_LB_CONTROL_PLANE_PORT, billing :$CLUSTER_LB_BILLING_PORT, Keycloak :$CLUSTER_LB_KEYCLOAK_PORT"
  start_process haproxy "$LOGS/haproxy.log" haproxy -db -f "$config"
}

# ---- The whole cluster ---------------------------------------------------------------------

# The services' jars, built with `package` (not the normal stack's `install`): the cluster
# needs nothing in the local Maven repository.
cluster_build() {
  log "building Strata (./mvnw package, tests skipped)"
  mvnw -q -DskipTests -pl control-plane/service,billing,web-console,array-agent/agent -am package >"$LOGS/build.log" 2>&1 \
    || { tail -40 "$LOGS/build.log" >&2; die "the build failed (see $LOGS/build.log)"; }
}

# Every port the cluster listens on, for the check before a start.
cluster_ports() {
  echo "${CLUSTER_KAFKA_PORTS[@]} ${CLUSTER_KAFKA_CONTROLLER_PORTS[@]} $CLUSTER_PG_MONITOR_PORT ${CLUSTER_PG_PORTS[@]}" \
    "${CLUSTER_KEYCLOAK_PORTS[@]} ${CLUSTER_KEYCLOAK_MANAGEMENT_PORTS[@]} ${CLUSTER_KEYCLOAK_JGROUPS_PORTS[@]}" \
    "$CLUSTER_LB_CONSOLE_PORT $CLUSTER_LB_CONTROL_PLANE_PORT $CLUSTER_LB_BILLING_PORT $CLUSTER_LB_KEYCLOAK_PORT $CLUSTER_LB_STATS_PORT" \
    "${CLUSTER_CONTROL_PLANE_PORTS[@]} ${CLUSTER_BILLING_PORTS[@]} ${CLUSTER_CONSOLE_PORTS[@]} ${CLUSTER_AGENT_PORTS[@]}"
}

# When none of the cluster runs, none of its ports may be taken (another drill, another
# checkout's cluster): fail before starting half of it.
cluster_ports_free() {
  local f port
  for f in "$RUN"/*.pid; do [ -e "$f" ] && running "$(basename "$f" .pid)" && return 0; done
  for port in $(cluster_ports); do
    port_open "$port" && die "port $port is taken by something outside this cluster (ss -ltnp | grep :$port)"
  done
  return 0
}

cluster_up() {
  ensure_jdk
  local started=$SECONDS
  cluster_ports_free
  # HAProxy first: Keycloak's tokens name its address, and the services find Keycloak through it
  cluster_haproxy_up
  cluster_kafka_up
  cluster_postgres_up
  log "PostgreSQL primary and synchronous standby ready after $((SECONDS - started)) s"
  cluster_keycloak_up
  wait_until "the Kafka cluster" 300 cluster_kafka_ready || die "the Kafka cluster did not start (see $LOGS/kafka-*.log)"
  cluster_wait keycloak-2 "Keycloak node 2" 600 cluster_keycloak_node_ready 2 || { tail -30 "$LOGS/keycloak-2.log" >&2; die "Keycloak node 2 did not start"; }
  wait_until "Keycloak behind HAProxy" 60 curl -sf -o /dev/null "$CLUSTER_OIDC_URL/.well-known/openid-configuration" \
    || die "Keycloak does not answer through HAProxy"
  log "dependencies ready after $((SECONDS - started)) s"
  cluster_services_up
  log "cluster ready after $((SECONDS - started)) s"
}

cluster_down() {
  local entries=() i
  mapfile -t entries < <(cluster_services)
  for ((i = ${#entries[@]} - 1; i >= 0; i--)); do stop_process "$(service_field "${entries[$i]}" 0)"; done
  stop_process keycloak-2
  stop_process keycloak-1
  # the monitor first, so that it promotes nobody while the nodes stop
  stop_process pg-monitor
  stop_process pg-node2
  stop_process pg-node1
  for i in 3 2 1; do stop_process "kafka-$i"; done
  stop_process haproxy
  cluster_pg_leftovers_down
}

# A keeper killed by SIGKILL leaves its PostgreSQL running (the postmaster outlives its parent):
# stop any that still holds its data folder.
cluster_pg_leftovers_down() {
  local pgdata
  for pgdata in "$CLUSTER_PG/monitor" "$CLUSTER_PG/node1" "$CLUSTER_PG/node2"; do
    [ -f "$pgdata/postmaster.pid" ] || continue
    runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$pgdata" status >/dev/null 2>&1 || continue
    log "stopping PostgreSQL in $pgdata"
    runuser -u postgres -- "$(pg_bin)/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null || true
  done
}

cluster_status() {
  local entry name port state
  cluster_member_line() { # NAME STATE WHERE
    printf '%-16s %-9s %s\n' "$1" "$2" "$3"
  }
  up_or_down() { if running "$1" && "${@:2}"; then echo up; elif running "$1"; then echo starting; else echo down; fi; }
  local i
  for i in 0 1 2; do
    cluster_member_line "kafka-$((i + 1))" "$(up_or_down "kafka-$((i + 1))" port_open "${CLUSTER_KAFKA_PORTS[$i]}")" "127.0.0.1:${CLUSTER_KAFKA_PORTS[$i]}"
  done
  cluster_member_line pg-monitor "$(up_or_down pg-monitor cluster_pg_monitor_ready)" "127.0.0.1:$CLUSTER_PG_MONITOR_PORT"
  for i in 1 2; do
    state=$(cluster_pg_node_state "$i")
    cluster_member_line "pg-node$i" "$(up_or_down "pg-node$i" port_open "${CLUSTER_PG_PORTS[$((i - 1))]}")" \
      "127.0.0.1:${CLUSTER_PG_PORTS[$((i - 1))]}  ${state:-unknown to the monitor}"
  done
  for i in 1 2; do
    cluster_member_line "keycloak-$i" "$(up_or_down "keycloak-$i" cluster_keycloak_node_ready "$i")" "http://127.0.0.1:${CLUSTER_KEYCLOAK_PORTS[$((i - 1))]}"
  done
  while IFS= read -r entry; do
    name=$(service_field "$entry" 0); port=$(service_field "$entry" 2)
    cluster_member_line "$name" "$(up_or_down "$name" service_ready "$port")" "http://127.0.0.1:$port"
  done < <(cluster_services)
  cluster_member_line haproxy "$(up_or_down haproxy port_open "$CLUSTER_LB_CONTROL_PLANE_PORT")" \
    "console :$CLUSTER_LB_CONSOLE_PORT, control plane :$CLUSTER_LB_CONTROL_PLANE_PORT, billing :$CLUSTER_LB_BILLING_PORT, Keycloak :$CLUSTER_LB_KEYCLOAK_PORT, stats :$CLUSTER_LB_STATS_PORT"
}
