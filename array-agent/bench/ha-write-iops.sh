#!/usr/bin/env bash
# What high availability costs a writer (not a test): write IOPS through the active engine of an
# HA array against a single-engine array with the same pool, side by side in one run, alternating.
# Both arrays: an HDD mirror with one member on each of two nodes (the other node's member over the
# engine's own iSCSI initiator and that node's drive export service, as with spread NODE) and a
# write-back flash cache. The single engine caches on one local SSD; the HA pair mirrors its cache
# on an SSD of each node (docs/high-availability.md), and its standby runs beside it.
# The load: qemu-img bench, 4 KiB writes at queue depth 16 through the engine's portal (libiscsi).
#
#   array-agent/bench/ha-write-iops.sh [ROUNDS (2)] [WRITES per run (20000)]
#
# Build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${1:-2}
WRITES=${2:-20000}

say() { printf '[ha-write-iops] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

source "$ROOT/infra/guest/tests/ha-nodes.lib.sh"
[ -f "$ROOT/array-agent/engine/target/strata-engine.jar" ] || die "build the engine first"
command -v qemu-img >/dev/null || die "qemu-img is missing (Debian qemu-utils, qemu-block-extra)"

IQN=iqn.2026-11.io.strata:bench.ha1
ENGINE_INITIATOR=iqn.2026-01.io.strata:engine.ha1
DRIVE_USER=ha1 DRIVE_SECRET=ha-drive-secret-001
HOST_IQN=iqn.2026-11.io.strata:bench-host HOST_USER=bench-host HOST_SECRET=bench-chap-secret-1
INITIATORS_JSON="[{\"iqn\": \"$HOST_IQN\", \"chap\": {\"user\": \"$HOST_USER\", \"secret\": \"$HOST_SECRET\"}, \"luns\": [0]}]"
NODE_DRIVES="hdd ssd"
HDD_THROTTLE='{"seekMicros": 8000, "bandwidth": "150M"}'
VOLUME_SIZE=1G
EPOCH=1 REVISION=1
BASE=$(mktemp -d /var/tmp/strata-ha-iops.XXXXXX)
trap 'stop_all; rm -rf "$BASE"' EXIT

pool_json() { # CACHE_DRIVES_JSON
  echo "[{\"name\": \"p0\", \"drives\": [\"hdd-a\", \"hdd-b\"], \"protection\": \"mirror\",
    \"cache\": {\"drives\": $1, \"mode\": \"write-back\"}}]"
}

# bench: one qemu-img bench run against node a's engine; prints IOPS.
bench() {
  local out seconds
  out=$(qemu-img bench -w -d 16 -s 4096 -c "$WRITES" -t none --image-opts \
    "driver=iscsi,transport=tcp,portal=127.0.0.1:$ENGINE_PORT_a,target=$IQN,lun=0,user=$HOST_USER,password=$HOST_SECRET,initiator-name=$HOST_IQN" 2>&1) \
    || { echo "$out" >&2; die "qemu-img bench failed"; }
  seconds=$(echo "$out" | awk '/Run completed in/ { print $4 }')
  awk -v n="$WRITES" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }'
}

run() { # single|ha (in a subshell: its own processes stop with it, even when it dies)
  trap stop_all EXIT
  WORK=$BASE/$1-$RANDOM
  read -r ENGINE_PORT_a ENGINE_PORT_b EXPORT_PORT_a EXPORT_PORT_b <<<"$(free_ports 4)"
  REMOTE_PORT_a=$EXPORT_PORT_a REMOTE_PORT_b=$EXPORT_PORT_b
  # a single engine presents no epoch: its exports admit any (epoch 0)
  if [ "$1" = ha ]; then EPOCH=1; else EPOCH=0; fi
  start_pair
  if [ "$1" = ha ]; then
    POOL_JSON=$(pool_json '["ssd-a", "ssd-b"]')
    start_engines
  else
    POOL_JSON=$(pool_json '["ssd-a"]')
    write_layout a ACTIVE -
    # a single engine: no ha block, so the cache on one SSD writes back
    jq 'del(.ha)' "$WORK/a/layout.json" >"$WORK/a/layout.single" && mv "$WORK/a/layout.single" "$WORK/a/layout.json"
    start_engine a
    wait_status "$WORK/a/status.json" "$(applied)" 60 "single engine up"
  fi
  local protection iops
  protection=$(jq -r '.pools[0].cacheProtection // "none"' "$WORK/a/status.json")
  iops=$(bench)
  stop_all
  rm -rf "$WORK"
  say "$1: $iops write IOPS (cache: $protection)"
  echo "$iops"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
single=() ha=()
for ((r = 1; r <= ROUNDS; r++)); do
  single+=("$(run single)")
  ha+=("$(run ha)")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| round | single engine (IOPS) | HA, mirrored cache (IOPS) | HA / single |"
echo "| --- | ---: | ---: | ---: |"
for ((r = 0; r < ROUNDS; r++)); do
  awk -v r=$((r + 1)) -v s="${single[$r]}" -v h="${ha[$r]}" 'BEGIN { printf "| %d | %d | %d | %.0f%% |\n", r, s, h, 100 * h / s }'
done
printf '%s\n' "${single[@]}" | awk '{ s += $1 } END { printf "%d\n", s / NR }' >"$BASE/s"
printf '%s\n' "${ha[@]}" | awk '{ s += $1 } END { printf "%d\n", s / NR }' >"$BASE/h"
awk -v s="$(cat "$BASE/s")" -v h="$(cat "$BASE/h")" 'BEGIN { printf "| mean | %d | %d | %.0f%% |\n", s, h, 100 * h / s }'
