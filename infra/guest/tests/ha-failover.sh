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
# STRATA_HA_REPORT (file that receives the pause figures as Markdown rows).
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

say() { printf '[ha-failover] %s\n' "$*" >&2; }
die() { say "error: $*"; echo "ha-failover: 0 passed, 1 failed"; exit 1; }

source "$HERE/ha-nodes.lib.sh"

WORK=${STRATA_HA_WORK:-$(mktemp -d /tmp/strata-ha.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE" "$WORK/a" "$WORK/b"
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

# The guest's clock, sampled against the host's: each line "host_ms guest_ms" when the guest's
# beacon changed. The smallest host-minus-guest difference is the clocks' offset (plus the
# beacon's delivery, at most a few tens of ms).
sample_clocks() {
  local last="" g
  while [ ! -f "$SHARE/events-done" ]; do
    g=$(cat "$SHARE/guest-clock" 2>/dev/null || true)
    if [ -n "$g" ] && [ "$g" != "$last" ]; then
      echo "$(date +%s%3N) $g" >>"$WORK/clock-samples.log"
      last=$g
    fi
    sleep 0.02
  done
}

# --- what the control plane decides ----------------------------------------------------------

event() { # N TEXT: an event starts (timed with the host's clock)
  echo "$1 start $(date +%s%3N) ${2%%:*}" >>"$WORK/events-host.log"
  say "event $1: $2"
}
event_done() { echo "$1 done $(date +%s%3N)" >>"$WORK/events-host.log"; }

# pauses: for each event, the longest wait from one completed probe write to the next among the
# waits that end after it started and before the next event started: "last write completed before
# the kill to the first one after". Prints "| N | kind | pause ms |" rows.
pauses() {
  local offset
  offset=$(awk 'NR == 1 || $1 - $2 < min { min = $1 - $2 } END { print min + 0 }' "$WORK/clock-samples.log")
  awk -v offset="$offset" -F', ' '
    FNR == NR { split($0, f, " "); n = f[1]
                if (f[2] == "start") { start[n] = f[3] - offset; kind[n] = f[4]; if (n > max_n) max_n = n }
                else done[n] = f[3] - offset
                next }
    { t[++count] = $1 + 0 }
    END {
      for (n = 1; n <= max_n; n++) {
        s = start[n]; e = (n + 1) in start ? start[n + 1] : t[count] + 1
        worst = 0
        for (i = 2; i <= count; i++) if (t[i] > s && t[i] <= e && t[i] - t[i - 1] > worst) worst = t[i] - t[i - 1]
        printf "| %d | %s | %d |\n", n, kind[n], worst
      }
    }' "$WORK/events-host.log" "$SHARE/probe-completions.log"
}

promote() { # NODE OUTDATED|-: fence (the node's own exports at the new epoch) then promote
  local node=$1
  write_exports "$node"
  hup "export-$node"
  wait_status "$WORK/$node/exports-status.json" "$(applied)" 30 "export service $node at epoch $EPOCH"
  write_layout "$node" ACTIVE "$2"
  hup "engine-$node"
  wait_status "$WORK/$node/status.json" "$(applied) and .ha.role == \"ACTIVE\" and .ha.state == \"ACTIVE\"" 60 \
    "engine $node promoted at epoch $EPOCH"
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
  promote "$survivor" "$lost"
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
  write_exports "$from"
  hup "export-$from"
  wait_status "$WORK/$from/exports-status.json" "$(applied)" 30 "export service $from at epoch $EPOCH"
  promote "$to" -
  event_done "$1"
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
  say "writing to the isolated engine $isolated (127.0.0.1:${!port_var}); it must not acknowledge"
  local started=$SECONDS status=0
  timeout 50 qemu-img bench -w -c 1 -s 4096 -t none --image-opts \
    "driver=iscsi,transport=tcp,portal=127.0.0.1:${!port_var},target=$IQN,lun=0,user=$PROBE_USER,password=$PROBE_SECRET,initiator-name=$PROBE_IQN" \
    >"$WORK/probe-write.log" 2>&1 || status=$?
  ((status != 0)) || { cat "$WORK/probe-write.log" >&2; die "the isolated engine $isolated acknowledged a write"; }
  say "the isolated engine did not acknowledge the write in $((SECONDS - started)) s (qemu-img status $status)"
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

guest() {
  STRATA_GUEST_QEMU_ARGS="-netdev user,id=net1,net=10.0.3.0/24 -device virtio-net-pci,netdev=net1" \
    "$ROOT/infra/guest/run-guest.sh" "$HERE/ha-failover.guest.sh" "$SHARE" \
    "$IQN" "$ENGINE_PORT_a" "$ENGINE_PORT_b" "$CHAP_USER" "$CHAP_SECRET" "$FIO_MB" >"$WORK/guest.log" 2>&1
}
guest &
GUEST_PID=$!

deadline=$((SECONDS + 900))
until [ -f "$SHARE/guest-ready" ]; do
  kill -0 "$GUEST_PID" 2>/dev/null || break
  ((SECONDS < deadline)) || die "the guest was not ready after 900 s"
  sleep 1
done

: >"$WORK/events-host.log"
: >"$WORK/clock-samples.log"
sample_clocks &
if [ -f "$SHARE/guest-ready" ]; then
  n=0
  for ((i = 0; i < FAILOVERS; i++)); do n=$((n + 1)); sleep 5; failover "$n"; done
  for ((i = 0; i < SWITCHOVERS; i++)); do n=$((n + 1)); sleep 5; switchover "$n"; done
  if [ "$PARTITION" = 1 ]; then n=$((n + 1)); sleep 5; partition "$n"; fi
  sleep 5
  echo done >"$SHARE/events-done"
fi

status=0
wait "$GUEST_PID" || status=$?
grep -E "^GUEST-|strata-guest:" "$WORK/guest.log" | tr -d '\r' >&2 || true
passed=$(grep -c "^GUEST-OK" "$WORK/guest.log" || true)
if [ -s "$SHARE/probe-completions.log" ]; then
  pauses >"$WORK/pauses.md"
  say "I/O pause per event (ms), seen by the guest's probe:"
  cat "$WORK/pauses.md" >&2
  [ -z "${STRATA_HA_REPORT:-}" ] || cp "$WORK/pauses.md" "$STRATA_HA_REPORT"
fi
say "wall time $((SECONDS - started)) s, guest status $status (console: $WORK/guest.log, engines: $WORK/a, $WORK/b)"
if ((status == 0)); then
  echo "ha-failover: $passed passed, 0 failed"
else
  tail -40 "$WORK/guest.log" >&2
  echo "ha-failover: $passed passed, 1 failed"
fi
exit "$status"
