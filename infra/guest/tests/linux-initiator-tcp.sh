#!/usr/bin/env bash
# The Linux kernel's iSCSI initiator against the Strata engine, over TCP, in a QEMU guest.
#   infra/guest/tests/linux-initiator-tcp.sh
# The engine runs on the host (127.0.0.1, two portals, CHAP, one 1 GiB LUN); the guest
# (infra/guest/run-guest.sh) logs in with CHAP, makes an ext4 file system, writes and verifies
# it with fio, logs out and in again and checks it (fsck -f, fio --verify_only); then this script
# kills the engine with SIGKILL during a write load and restarts it, and the guest checks that
# its initiator recovered the session and the file system is clean; finally the guest logs in
# through both portals with dm-multipath and cuts one path during a write load.
# Build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests
# Environment: STRATA_KINIT_PORTS="P1 P2" (default: two free ports), STRATA_KINIT_FIO_MB
# (size of each fio job, default 192), STRATA_KINIT_WORK (work folder, default a new one in /tmp).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
IQN=iqn.2026-11.io.strata:kinit.a1
CHAP_USER=linux-guest
CHAP_SECRET=kinit-chap-secret-1
FIO_MB=${STRATA_KINIT_FIO_MB:-192}

say() { printf '[linux-initiator] %s\n' "$*" >&2; }
die() { say "error: $*"; echo "linux-initiator: 0 passed, 1 failed"; exit 1; }

source "$ROOT/infra/guest/tests/ports.lib.sh"

pick_ports() {
  if [ -n "${STRATA_KINIT_PORTS:-}" ]; then
    read -r PORT1 PORT2 <<<"$STRATA_KINIT_PORTS"
  else
    read -r PORT1 PORT2 <<<"$(free_ports 2)"
  fi
}

WORK=${STRATA_KINIT_WORK:-$(mktemp -d /tmp/strata-kinit.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE"
rm -f "$SHARE"/kill-engine "$SHARE"/engine-killed "$SHARE"/engine-restarted
ENGINE_LOG=$WORK/engine.log
ENGINE_PID=""
WATCHER_PID=""

engine_start() {
  local ready_before
  ready_before=$(grep -c "strata-engine ready" "$ENGINE_LOG" 2>/dev/null || true)
  "$ROOT/array-agent/bin/strata-engine" --iqn "$IQN" \
    --portal "127.0.0.1:$PORT1" --portal "127.0.0.1:$PORT2" \
    --lun "0=$WORK/lun0.img:1G" --chap "$CHAP_USER:$CHAP_SECRET" >>"$ENGINE_LOG" 2>&1 &
  ENGINE_PID=$!
  echo "$ENGINE_PID" >"$WORK/engine.pid"
  local deadline=$((SECONDS + 120))
  until (($(grep -c "strata-engine ready" "$ENGINE_LOG" 2>/dev/null || true) > ready_before)); do
    kill -0 "$ENGINE_PID" 2>/dev/null || { tail -20 "$ENGINE_LOG" >&2; die "the engine exited at start"; }
    ((SECONDS < deadline)) || die "the engine was not ready after 120 s"
    sleep 0.3
  done
}

# Kills the engine with SIGKILL when the guest asks (it writes kill-engine while fio writes),
# tells the guest, restarts the engine on the same LUN file and portals, and tells the guest again.
kill_watcher() {
  until [ -f "$SHARE/kill-engine" ]; do sleep 0.2; done
  local pid
  pid=$(cat "$WORK/engine.pid")
  kill -KILL "$pid"
  say "engine (pid $pid) killed with SIGKILL during the guest's write load"
  echo killed >"$SHARE/engine-killed"
  sleep 3
  engine_start
  say "engine restarted (pid $ENGINE_PID)"
  echo restarted >"$SHARE/engine-restarted"
}

cleanup() {
  set +e # everything here is best effort; a failed kill must not skip the rest
  if [ -n "$WATCHER_PID" ]; then kill "$WATCHER_PID" 2>/dev/null; fi
  # The engine may be the restarted one, a child of the watcher: stop it by its recorded pid.
  if [ -f "$WORK/engine.pid" ]; then
    local pid
    pid=$(cat "$WORK/engine.pid")
    kill -TERM "$pid" 2>/dev/null
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$WORK/lun0.img" "$WORK"/lun0.img.*
  return 0
}
trap cleanup EXIT

[ -f "$ROOT/array-agent/engine/target/strata-engine.jar" ] \
  || die "build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests"

started=$SECONDS
pick_ports
say "engine on 127.0.0.1:$PORT1 and 127.0.0.1:$PORT2 (guest: 10.0.2.2:$PORT1, 10.0.3.2:$PORT2), work folder $WORK"
engine_start
kill_watcher &
WATCHER_PID=$!

# A second user-mode NIC (10.0.3.0/24, host again at .2) carries the second multipath path, so
# the guest can cut one path (ip link set eth1 down) while the other stays up.
export STRATA_GUEST_QEMU_ARGS="-netdev user,id=net1,net=10.0.3.0/24 -device virtio-net-pci,netdev=net1"
set +e
"$ROOT/infra/guest/run-guest.sh" "$ROOT/infra/guest/tests/linux-initiator-tcp.guest.sh" "$SHARE" \
  "$IQN" "$PORT1" "$PORT2" "$CHAP_USER" "$CHAP_SECRET" "$FIO_MB" >"$WORK/guest.log" 2>&1
status=$?
set -e

grep -E "^GUEST-|strata-guest:" "$WORK/guest.log" | tr -d '\r' >&2 || true
passed=$(grep -c "^GUEST-OK" "$WORK/guest.log" || true)
say "wall time $((SECONDS - started)) s, guest status $status (full console: $WORK/guest.log, engine: $ENGINE_LOG)"
if ((status == 0)); then
  echo "linux-initiator: $passed passed, 0 failed"
else
  tail -40 "$WORK/guest.log" >&2
  echo "linux-initiator: $passed passed, 1 failed"
fi
exit "$status"
