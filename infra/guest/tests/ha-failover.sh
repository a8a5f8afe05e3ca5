#!/usr/bin/env bash
# An HA array under the Linux kernel initiator: dm-multipath (ALUA) over the portals of two
# engines, ext4 and fio --verify on top, while this script fails the active node over, switches
# engines over (a drain) and partitions the two nodes.
#   infra/guest/tests/ha-failover.sh
# Two "storage nodes" on the host's loopback, each a drive export service and an engine of the same
# array (docs/high-availability.md). The pool is a mirror of one drive on each node; each engine
# reaches the other node's drive through a TCP relay (tcp-relay.py) that stands for the network
# between the nodes, so a partition is the relays frozen. This script does what the control plane
# and the agents do in the product, in the same order (raise the epoch in the surviving node's
# exports, then promote), with the engine's real files: layout, exports, status.
# Build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests
# Environment: STRATA_HA_FAILOVERS (SIGKILL failovers, alternating nodes; default 2),
# STRATA_HA_SWITCHOVERS (planned switchovers; default 2), STRATA_HA_PARTITION (1: one partition,
# default), STRATA_HA_FIO_MB (size of each fio job, default 32), STRATA_HA_WORK (work folder),
# STRATA_HA_REPORT (file that receives the pause figures as Markdown rows), STRATA_HA_GAP_SECONDS
# (load before each event and after the last, default 5), STRATA_HA_HOLD_SECONDS (how long the
# write to the partitioned engine is watched once it waits for consent, default 5),
# STRATA_HA_MULTIPATH_DEFAULTS (lines that replace the guest's "force_sync yes" in its multipath.conf
# defaults section, e.g. "force_sync no", to compare).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/infra/guest/tests
IQN=iqn.2026-11.io.strata:hatest.ha1
ENGINE_INITIATOR=iqn.2026-01.io.strata:engine.ha1
GUEST_IQN=iqn.2026-11.io.strata:linux-guest
PROBE_IQN=iqn.2026-11.io.strata:host-probe
CHAP_USER=linux-guest CHAP_SECRET=ha-chap-secret-0001
PROBE_USER=host-probe PROBE_SECRET=ha-probe-secret-01
DRIVE_USER=ha1 DRIVE_SECRET=ha-drive-secret-001
FAILOVERS=${STRATA_HA_FAILOVERS:-2}
SWITCHOVERS=${STRATA_HA_SWITCHOVERS:-2}
PARTITION=${STRATA_HA_PARTITION:-1}
FIO_MB=${STRATA_HA_FIO_MB:-32}
# seconds of undisturbed load before each event and after the last (the guest's I/O runs throughout)
GAP=${STRATA_HA_GAP_SECONDS:-5}

# The engines log with the Unix time in ms, so that ha-timeline.py can set their lines beside the
# guest's (where a pause went).
export STRATA_ENGINE_JAVA_OPTS=${STRATA_ENGINE_JAVA_OPTS:-"-Xms256m -Xmx1g -XX:+UseParallelGC -Djava.util.logging.SimpleFormatter.format=%1\$tQ|%4\$s|%5\$s%6\$s%n"}

say() { printf '[ha-failover] %s\n' "$*" >&2; }
die() { say "error: $*"; echo "ha-failover: 0 passed, 1 failed"; exit 1; }
source "$HERE/ha-nodes.lib.sh"
source "$HERE/ha-events.lib.sh"

WORK=${STRATA_HA_WORK:-$(mktemp -d /tmp/strata-ha.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE" "$WORK/a" "$WORK/b"
# Lines that replace "force_sync yes" in the guest's multipath.conf defaults (e.g. "force_sync no").
printf '%s\n' "${STRATA_HA_MULTIPATH_DEFAULTS:-}" >"$SHARE/multipath-defaults"
rm -f "$SHARE"/events-done "$SHARE"/guest-ready "$SHARE"/guest-clock "$SHARE"/probe-completions.log "$SHARE"/cut-path-* "$SHARE"/heal-path-*
read -r ENGINE_PORT_a ENGINE_PORT_b EXPORT_PORT_a EXPORT_PORT_b RELAY_TO_a RELAY_TO_b <<<"$(free_ports 6)"
EPOCH=1
ACTIVE=a STANDBY=b
REVISION=1
INITIATORS_JSON="[
   {\"iqn\": \"$GUEST_IQN\", \"chap\": {\"user\": \"$CHAP_USER\", \"secret\": \"$CHAP_SECRET\"}, \"luns\": [0]},
   {\"iqn\": \"$PROBE_IQN\", \"chap\": {\"user\": \"$PROBE_USER\", \"secret\": \"$PROBE_SECRET\"}, \"luns\": [0]}]"
NODE_DRIVES=d
POOL_JSON='[{"name": "p0", "drives": ["d-a", "d-b"], "protection": "mirror"}]'
VOLUME_SIZE=1G
# Each engine reaches the other node's export service through a relay, the network between them.
REMOTE_PORT_a=$RELAY_TO_a REMOTE_PORT_b=$RELAY_TO_b

start_relay() { # NODE: the way to NODE's export service from the other node
  local node=$1 relay_var=RELAY_TO_$1 port_var=EXPORT_PORT_$1 log=$WORK/relay-to-$1.log
  : >"$log"
  python3 "$HERE/tcp-relay.py" "${!relay_var}" "${!port_var}" >>"$log" 2>&1 &
  PID[relay-$node]=$!
  wait_ready "relay to $node" "$log" "${PID[relay-$node]}"
}

promote() { # NODE OUTDATED|- [EVENT]: fence (the node's own exports at the new epoch) then promote
  local node=$1 n=${3:-0}
  write_exports "$node"
  hup "export-$node"
  wait_status "$WORK/$node/exports-status.json" "$(applied)" 30 "export service $node at epoch $EPOCH"
  step "$n" "fenced $node"
  write_layout "$node" ACTIVE "$2"
  hup "engine-$node"
  wait_status "$WORK/$node/status.json" "$(applied) and .ha.role == \"ACTIVE\" and .ha.state == \"ACTIVE\"" 60 \
    "engine $node promoted at epoch $EPOCH"
  step "$n" "promoted $node"
}

# Waits until the active engine has every drive ONLINE (the returning node's copy resynced), then
# withdraws the consent to drop it: both copies are promotable again.
resync() {
  wait_status "$WORK/$ACTIVE/status.json" '[.drives[] | select(.state != "ONLINE")] | length == 0' 300 \
    "resync of node $STANDBY's drive by engine $ACTIVE"
  write_layout "$ACTIVE" ACTIVE -
  hup "engine-$ACTIVE"
  wait_status "$WORK/$ACTIVE/status.json" "$(applied)" 30 "engine $ACTIVE without outdated drives"
}

failover() { # N
  local lost=$ACTIVE survivor=$STANDBY
  event "$1" "failover: SIGKILL of node $lost (engine and export service), node $survivor promoted"
  kill_node "$lost"
  EPOCH=$((EPOCH + 1))
  promote "$survivor" "$lost" "$1"
  event_done "$1"
  ACTIVE=$survivor STANDBY=$lost
  write_exports "$lost"
  start_export "$lost"
  write_layout "$lost" STANDBY -
  start_engine "$lost"
  resync
}

switchover() { # N
  local from=$ACTIVE to=$STANDBY
  event "$1" "switchover (drain of node $from): $from demotes, then $to is promoted"
  EPOCH=$((EPOCH + 1))
  write_layout "$from" STANDBY -
  hup "engine-$from"
  wait_status "$WORK/$from/status.json" "$(applied) and .ha.state == \"STANDBY\"" 60 "engine $from demoted"
  step "$1" "demoted $from"
  # Both agents hear the promotion at once: node $from raises its exports' epoch while node $to
  # fences its own and promotes (only its own node's fence must come first).
  write_exports "$from"
  local from_revision=$REVISION
  hup "export-$from"
  promote "$to" - "$1"
  event_done "$1"
  wait_status "$WORK/$from/exports-status.json" ".revision == $from_revision and .ok == true" 30 \
    "export service $from at epoch $EPOCH"
  ACTIVE=$to STANDBY=$from
}

# A partition between the nodes and between the active node and the guest: the isolated engine
# must stop acknowledging writes while the other side is promoted and serves.
partition() { # N
  local isolated=$ACTIVE survivor=$STANDBY port_var=ENGINE_PORT_$ACTIVE
  event "$1" "partition: node $isolated cut off from node $survivor and from the guest; $survivor promoted"
  echo cut >"$SHARE/cut-path-$(group_of "$isolated")"
  kill -STOP "${PID[relay-a]}" "${PID[relay-b]}"
  EPOCH=$((EPOCH + 1))
  promote "$survivor" "$isolated"
  event_done "$1"
  # The isolated engine still believes it is active. A write sent to it straight from the host must
  # not complete: its mirror cannot reach the other copy and nobody consents to dropping it.
  # The write is held first by the mirror's unanswered write to the other copy (the remote drive's
  # command timeout, 30 s), then by the wait for a consent to drop that copy which nobody gives.
  # Once the engine says it waits for that consent, the write is watched a while longer
  # (STRATA_HA_HOLD_SECONDS, default 5); a write not acknowledged within 50 s fails as before.
  say "writing to the isolated engine $isolated (127.0.0.1:${!port_var}); it must not acknowledge"
  local started=$SECONDS status=0 probe
  timeout 50 qemu-img bench -w -c 1 -s 4096 -t none --image-opts \
    "driver=iscsi,transport=tcp,portal=127.0.0.1:${!port_var},target=$IQN,lun=0,user=$PROBE_USER,password=$PROBE_SECRET,initiator-name=$PROBE_IQN" \
    >"$WORK/probe-write.log" 2>&1 &
  probe=$!
  until jq -e '.ha.awaitingDrop | length > 0' "$WORK/$isolated/status.json" >/dev/null 2>&1; do
    kill -0 "$probe" 2>/dev/null || break
    sleep 0.2
  done
  kill -0 "$probe" 2>/dev/null && sleep "${STRATA_HA_HOLD_SECONDS:-5}"
  if kill -0 "$probe" 2>/dev/null; then
    kill "$probe" 2>/dev/null || true
    wait "$probe" || status=$?
    say "the isolated engine did not acknowledge the write in $((SECONDS - started)) s (it waits for consent; the probe was stopped)"
  else
    wait "$probe" || status=$?
    ((status != 0)) || { cat "$WORK/probe-write.log" >&2; die "the isolated engine $isolated acknowledged a write"; }
    say "the isolated engine did not acknowledge the write in $((SECONDS - started)) s (qemu-img status $status)"
  fi
  jq -e '.ha.awaitingDrop | length > 0' "$WORK/$isolated/status.json" >/dev/null \
    || { cat "$WORK/$isolated/status.json" >&2; die "the isolated engine does not say it waits for consent"; }
  say "its status: $(jq -c .ha "$WORK/$isolated/status.json")"
  # Healing: the isolated node hears the new desired state (standby at the new epoch) and demotes.
  kill -CONT "${PID[relay-a]}" "${PID[relay-b]}"
  write_exports "$isolated"
  hup "export-$isolated"
  write_layout "$isolated" STANDBY -
  hup "engine-$isolated"
  wait_status "$WORK/$isolated/status.json" "$(applied) and .ha.state == \"STANDBY\"" 60 "engine $isolated demoted after the partition"
  rm -f "$SHARE/cut-path-$(group_of "$isolated")"
  echo heal >"$SHARE/heal-path-$(group_of "$isolated")"
  ACTIVE=$survivor STANDBY=$isolated
  resync
}

cleanup() {
  set +e
  stop_all
  rm -f "$WORK"/a/d.img "$WORK"/b/d.img
  return 0
}
trap cleanup EXIT

[ -f "$ROOT/array-agent/engine/target/strata-engine.jar" ] \
  || die "build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests"
command -v jq >/dev/null || die "jq is missing (infra/bin/test installs it)"
command -v qemu-img >/dev/null || die "qemu-img is missing (infra/bin/test installs qemu-utils)"

started=$SECONDS
say "node a: engine 127.0.0.1:$ENGINE_PORT_a, exports :$EXPORT_PORT_a; node b: engine :$ENGINE_PORT_b, exports :$EXPORT_PORT_b; work folder $WORK"
start_pair
start_relay a
start_relay b
start_engines

start_guest "$IQN" "$ENGINE_PORT_a" "$ENGINE_PORT_b" "$CHAP_USER" "$CHAP_SECRET" "$FIO_MB"
await_guest_ready
if [ -f "$SHARE/guest-ready" ]; then
  n=0
  for ((i = 0; i < FAILOVERS; i++)); do n=$((n + 1)); sleep "$GAP"; failover "$n"; done
  for ((i = 0; i < SWITCHOVERS; i++)); do n=$((n + 1)); sleep "$GAP"; switchover "$n"; done
  if [ "$PARTITION" = 1 ]; then n=$((n + 1)); sleep "$GAP"; partition "$n"; fi
  sleep "$GAP"
  echo done >"$SHARE/events-done"
fi

finish_guest ha-failover "${STRATA_HA_REPORT:-}" "engines: $WORK/a, $WORK/b"
