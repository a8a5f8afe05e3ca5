#!/usr/bin/env bash
# An HA array made and moved by the whole product (control plane, Kafka, the two agents of the
# local stack and the engines they start), under the Linux kernel initiator in the QEMU guest:
# dm-multipath (ALUA) over both engines' portals, ext4 and fio --verify on top, while this script
# fails the active node over (SIGKILL of its agent, engine and drive export service), drains and
# undrains nodes, and upgrades the engine build on one node after the other (drain, new build,
# undrain), as an operator would.
#   infra/bin/stack up                    # the local stack (two agents: nodes 1 and 2)
#   infra/guest/tests/ha-product.sh
# It talks to the stack at the addresses infra/lib/common.sh gives (STRATA_*_PORT and friends
# override them, as for infra/bin/stack) and restarts a node's agent the way the stack starts it
# (infra/lib/services.sh). The guest reaches only the host's 127.0.0.1: a portal on another
# loopback address (node 2's, 127.0.0.2) is relayed to it through a port on 127.0.0.1
# (tcp-relay.py). Not run by infra/bin/test (it needs the running stack and takes 10-20 minutes
# on a loaded machine); the figures are in docs/benchmarks/failover.md.
# Environment: STRATA_HAP_FAILOVERS (SIGKILL failovers, alternating nodes; default 2),
# STRATA_HAP_DRAINS (drain + undrain of the active's node; default 2), STRATA_HAP_UPGRADE (1: a
# rolling engine upgrade of both nodes, default), STRATA_HAP_ENGINE_BUILD (the folder of the new
# engine build's jars; default a fresh copy of the agent's own: a new install of the same code),
# STRATA_HAP_FIO_MB (size of each fio job, default 32), STRATA_HAP_SETTLE (seconds the guest's loads
# run before the first event, default 30), STRATA_HAP_WORK (work folder), STRATA_HAP_REPORT (file
# that receives the pause figures as Markdown rows), STRATA_HAP_KEEP (1: keep the array at the end).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
source "$ROOT/infra/lib/common.sh"
source "$ROOT/infra/lib/services.sh"
FAILOVERS=${STRATA_HAP_FAILOVERS:-2}
DRAINS=${STRATA_HAP_DRAINS:-2}
UPGRADE=${STRATA_HAP_UPGRADE:-1}
FIO_MB=${STRATA_HAP_FIO_MB:-32}
CP=http://127.0.0.1:$CONTROL_PLANE_PORT
TOKEN_URL=http://127.0.0.1:$KEYCLOAK_PORT/realms/strata/protocol/openid-connect/token
RUN_ID=$(date +%s)
GUEST_IQN=iqn.2026-11.io.strata:hap-guest-$RUN_ID
CHAP_USER=hap$RUN_ID CHAP_SECRET=hap-chap-secret-$RUN_ID

say() { printf '[ha-product] %s\n' "$*" >&2; }
die() { say "error: $*"; echo "ha-product: 0 passed, 1 failed"; exit 1; }
source "$HERE/ha-events.lib.sh"

WORK=${STRATA_HAP_WORK:-$(mktemp -d /tmp/strata-hap.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE"
rm -f "$SHARE"/events-done "$SHARE"/guest-ready "$SHARE"/guest-clock "$SHARE"/probe-completions.log

# --- the API, as the operator and the tenant use it --------------------------------------------

declare -A TOKEN=() TOKEN_AT=()
token() { # USER: an access token, fetched again after a minute
  if [ -z "${TOKEN[$1]:-}" ] || ((SECONDS - TOKEN_AT[$1] > 60)); then
    TOKEN[$1]=$(curl -sf -d grant_type=password -d client_id=strata-cli -d "username=$1" -d password=strata-demo \
      "$TOKEN_URL" | jq -r .access_token) || die "no token for $1 from $TOKEN_URL"
    TOKEN_AT[$1]=$SECONDS
  fi
  echo "${TOKEN[$1]}"
}

api() { # USER METHOD PATH [BODY]: the answer's body; fails on an HTTP error
  local out status body=()
  [ -z "${4:-}" ] || body=(-H 'Content-Type: application/json' -d "$4")
  out=$(curl -s -w '\n%{http_code}' -X "$2" -H "Authorization: Bearer $(token "$1")" "${body[@]}" "$CP$3") || return 1
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  ((status < 300)) || { say "$2 $3: $status $out"; return 1; }
  echo "$out"
}

array_now() { api acme-admin GET "/api/v1/arrays/$ARRAY"; }
active_node() { array_now | jq -r '.engines[] | select(.role == "ACTIVE") | .nodeName'; }
other_node() { [ "$1" = 1 ] && echo 2 || echo 1; }
node_id() { api ops GET /api/v1/admin/nodes | jq -r --arg n "$1" '.items[] | select(.name == $n) | .id'; }

# wait_array TIMEOUT WHAT JQ_CONDITION: until GET of the array satisfies the condition.
wait_array() {
  local deadline=$((SECONDS + $1)) last=""
  until last=$(array_now 2>/dev/null) && jq -e "$3" <<<"$last" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { jq -c '{state, failureReason, haEpoch, engines}' <<<"$last" >&2; die "$2: not within $1 s"; }
    sleep 0.5
  done
}

# wait_state TIMEOUT PATH STATE: until the object at PATH is in STATE.
wait_state() {
  local deadline=$((SECONDS + $1))
  until [ "$(api acme-admin GET "$2" 2>/dev/null | jq -r .state)" = "$3" ]; do
    ((SECONDS < deadline)) || die "$2 not $3 within $1 s"
    sleep 1
  done
}

# In sync: ONLINE with both engines ONLINE (none outdated or provisioning).
IN_SYNC='.state == "ONLINE" and ([.engines[] | select(.state == "ONLINE")] | length == 2)'
active_is() { echo "([.engines[] | select(.role == \"ACTIVE\" and (.state == \"ONLINE\" or .state == \"DEGRADED\")) | .nodeName] == [\"$1\"])"; }

# --- the storage nodes, as the stack runs them ---------------------------------------------------

data_dir() { echo "$STATE/agents/agent-$1"; }

# The pids of node N's engines (every array's and the drive export service), from its agent's files.
engine_pids() {
  local f
  for f in "$(data_dir "$1")"/arrays/*/engine.pid "$(data_dir "$1")"/exports/engine.pid; do
    [ -f "$f" ] && cut -d' ' -f1 "$f"
  done
  return 0
}

kill_node() { # N: SIGKILL of the node's agent, engines and drive export service, all at once
  # shellcheck disable=SC2046 # one pid a word
  kill -KILL $(pid_of "agent-$1") $(engine_pids "$1") 2>/dev/null || true
}

start_agent() { # N: as infra/bin/stack starts it (only this agent)
  local entry
  for entry in "${STRATA_SERVICES[@]}"; do
    if [ "$(service_field "$entry" 0)" = "agent-$1" ]; then
      local -a STRATA_SERVICES=("$entry")
      services_up
      return
    fi
  done
  die "infra/lib/services.sh has no agent-$1"
}

# --- the events -----------------------------------------------------------------------------------

failover() { # N
  local lost epoch
  lost=$(active_node)
  epoch=$(array_now | jq .haEpoch)
  event "$1" "failover: SIGKILL of node $lost's agent, engine and drive export service"
  kill_node "$lost"
  wait_array 120 "the failover to node $(other_node "$lost")" ".haEpoch > $epoch and $(active_is "$(other_node "$lost")")"
  event_done "$1"
  say "node $(other_node "$lost") active at epoch $(array_now | jq .haEpoch); starting node $lost's agent again"
  start_agent "$lost"
  wait_array 600 "node $lost back as the standby, its copies resynced" "$IN_SYNC"
}

drain() { # N
  local node id
  node=$(active_node)
  id=$(node_id "$node")
  event "$1" "switchover: drain of node $node, then undrain"
  api ops POST "/api/v1/admin/nodes/$id/drain" >/dev/null || die "drain of node $node"
  wait_array 120 "the switchover off node $node" "$(active_is "$(other_node "$node")")"
  event_done "$1"
  api ops POST "/api/v1/admin/nodes/$id/undrain" >/dev/null || die "undrain of node $node"
  wait_array 120 "the array ONLINE after the undrain of node $node" "$IN_SYNC"
}

# Whether node N's array engine and drive export service both run, from the new build.
on_new_build() {
  local pid count=0
  for pid in $(engine_pids "$1"); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$ENGINE_BUILD/" || return 1
    count=$((count + 1))
  done
  ((count >= 2))
}

# upgrade N NODE: drain NODE (a switchover if it runs the active), stop its agent (which stops its
# engines), start it on the new engine build, wait until its engine is the standby again and its
# copies are in sync, undrain.
upgrade() {
  local node=$2 id pid
  id=$(node_id "$node")
  event "$1" "upgrade: node $node drained, its engines restarted on the new build, undrained"
  api ops POST "/api/v1/admin/nodes/$id/drain" >/dev/null || die "drain of node $node"
  wait_array 120 "the switchover off node $node" "$(active_is "$(other_node "$node")")"
  stop_process "agent-$node"
  STRATA_AGENT_ENGINE_CLASSPATH="$ENGINE_BUILD/*" start_agent "$node"
  local deadline=$((SECONDS + 300))
  until on_new_build "$node"; do
    ((SECONDS < deadline)) || die "node $node's engines do not run the build in $ENGINE_BUILD after 300 s"
    sleep 1
  done
  wait_array 600 "node $node's engine standby on the new build, its copies resynced" \
    '.state != "FAILED" and ([.engines[] | select(.state == "ONLINE")] | length == 2)'
  api ops POST "/api/v1/admin/nodes/$id/undrain" >/dev/null || die "undrain of node $node"
  wait_array 120 "the array ONLINE after the upgrade of node $node" "$IN_SYNC"
  event_done "$1"
  say "node $node runs the engine build in $ENGINE_BUILD"
}

# --- the array, made through the API -------------------------------------------------------------

cleanup() {
  set +e
  [ -f "$SHARE/events-done" ] || echo done >"$SHARE/events-done"
  local p
  for p in "${RELAY_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ -n "${ARRAY:-}" ] && [ "${STRATA_HAP_KEEP:-0}" != 1 ]; then
    say "removing array $ARRAY (STRATA_HAP_KEEP=1 keeps it)"
    [ -n "${ATTACHMENT:-}" ] && api acme-admin DELETE "/api/v1/attachments/$ATTACHMENT" >/dev/null
    # a deleted volume goes to the recycle bin, which keeps the array: purge it at once
    [ -n "${VOLUME:-}" ] && { sleep 5; api acme-admin DELETE "/api/v1/volumes/$VOLUME" >/dev/null &&
      api acme-admin DELETE "/api/v1/recycle-bin/$VOLUME" >/dev/null; }
    [ -n "${SERVER:-}" ] && api acme-admin DELETE "/api/v1/servers/$SERVER" >/dev/null
    local i # the purged volume leaves the array once its engine deleted it
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
      sleep 5
      api acme-admin DELETE "/api/v1/arrays/$ARRAY" >/dev/null && break
    done
  fi
  return 0
}
RELAY_PIDS=()
trap cleanup EXIT

for tool in jq curl python3 qemu-img; do command -v "$tool" >/dev/null || die "$tool is missing"; done
service_ready "$CONTROL_PLANE_PORT" || die "no control plane on $CP: start the stack first (infra/bin/stack up)"
started=$SECONDS

ENGINE_BUILD=${STRATA_HAP_ENGINE_BUILD:-}
if [ -z "$ENGINE_BUILD" ] && [ "$UPGRADE" = 1 ]; then
  ENGINE_BUILD=$WORK/engine-build
  rm -rf "$ENGINE_BUILD"
  cp -r "$ROOT/array-agent/agent/target/quarkus-app/lib/main" "$ENGINE_BUILD"
fi

ARRAY=$(api acme-admin POST /api/v1/arrays "{\"name\": \"hap-$RUN_ID\", \"engineSize\": \"E01\", \"ssdDrives\": 2,
  \"hddDrives\": 0, \"highAvailability\": true}" | jq -r .id) || die "creating the HA array"
say "array hap-$RUN_ID ($ARRAY); work folder $WORK"
wait_state 300 "/api/v1/arrays/$ARRAY" ONLINE
POOL=$(api acme-admin POST /api/v1/pools "{\"arrayId\": \"$ARRAY\", \"name\": \"p1\", \"driveType\": \"SSD\",
  \"protection\": \"RAID1\", \"driveCount\": 2}" | jq -r .id) || die "creating the pool"
VOLUME=$(api acme-admin POST /api/v1/volumes "{\"poolId\": \"$POOL\", \"name\": \"v1\", \"sizeGib\": 1}" | jq -r .id) \
  || die "creating the volume"
wait_state 300 "/api/v1/volumes/$VOLUME" AVAILABLE
SERVER=$(api acme-admin POST /api/v1/servers "{\"name\": \"hap-guest-$RUN_ID\", \"iqn\": \"$GUEST_IQN\",
  \"chapUser\": \"$CHAP_USER\", \"chapSecret\": \"$CHAP_SECRET\"}" | jq -r .id) || die "registering the guest"
CONNECTION=$(api acme-admin POST /api/v1/attachments "{\"volumeId\": \"$VOLUME\", \"serverId\": \"$SERVER\"}") \
  || die "attaching the volume"
ATTACHMENT=$(jq -r .id <<<"$CONNECTION")
wait_state 300 "/api/v1/attachments/$ATTACHMENT" ATTACHED
wait_array 300 "the array ONLINE with both engines" "$IN_SYNC"
TARGET=$(jq -r .connection.targetIqn <<<"$CONNECTION")
mapfile -t PORTALS < <(jq -r '.connection.portals[]' <<<"$CONNECTION")
((${#PORTALS[@]} == 2)) || die "the attachment lists ${#PORTALS[@]} portals, not 2"
say "target $TARGET on portals ${PORTALS[*]}"

# The guest reaches the host's 127.0.0.1 only: a portal elsewhere on the loopback gets a relay.
GUEST_PORTS=()
for portal in "${PORTALS[@]}"; do
  host=${portal%:*} port=${portal##*:}
  if [ "$host" = 127.0.0.1 ]; then
    GUEST_PORTS+=("$port")
  else
    relay=$(free_ports 1)
    python3 "$HERE/tcp-relay.py" "$relay" "$port" "$host" >>"$WORK/relay-$relay.log" 2>&1 &
    RELAY_PIDS+=($!)
    GUEST_PORTS+=("$relay")
    say "relay 127.0.0.1:$relay -> $portal for the guest"
  fi
done

start_guest "$TARGET" "${GUEST_PORTS[0]}" "${GUEST_PORTS[1]}" "$CHAP_USER" "$CHAP_SECRET" "$FIO_MB" "$GUEST_IQN"
await_guest_ready
if [ -f "$SHARE/guest-ready" ]; then
  # the probe's first writes to its new file are slow on a loaded machine: let it get going
  sleep "${STRATA_HAP_SETTLE:-30}"
  n=0
  for ((i = 0; i < FAILOVERS; i++)); do n=$((n + 1)); sleep 5; failover "$n"; done
  for ((i = 0; i < DRAINS; i++)); do n=$((n + 1)); sleep 5; drain "$n"; done
  if [ "$UPGRADE" = 1 ]; then
    first=$(active_node)
    n=$((n + 1)); sleep 5; upgrade "$n" "$first"
    n=$((n + 1)); sleep 5; upgrade "$n" "$(other_node "$first")"
  fi
  sleep 5
  echo done >"$SHARE/events-done"
fi

finish_guest ha-product "${STRATA_HAP_REPORT:-}" "stack logs: $LOGS"
