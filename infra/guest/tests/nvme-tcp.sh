#!/usr/bin/env bash
# The Linux kernel's NVMe/TCP initiator (nvme-cli) against the Strata engine, in a QEMU guest.
#   flock /work/wt/guest.lock infra/guest/tests/nvme-tcp.sh
# Opt-in (not part of infra/bin/test). The engine runs on the host (an iSCSI portal and an
# NVMe/TCP portal on 127.0.0.1, one 1 GiB LUN, one admitted host NQN); the guest
# (infra/guest/run-guest.sh, nvme-tcp.guest.sh) discovers, connects, makes an ext4 file system,
# writes and verifies it with fio, checks it with fsck and disconnects; a host off the list is
# neither shown nor admitted.
# Needs a guest image with nvme-cli and the nvme_tcp module (docs/nvme-tcp.md says what to add).
# Build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests
# Environment: STRATA_NVME_FIO_MB (default 192), STRATA_NVME_WORK (work folder, default a new one).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
IQN=iqn.2026-11.io.strata:nvme.a1
NQN=nqn.2026-11.io.strata:nvme.a1
HOSTID=6c1b1f2e-5a44-4b8e-9a0d-2f6e0c3d9b71
HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:$HOSTID
FIO_MB=${STRATA_NVME_FIO_MB:-192}

say() { printf '[nvme-tcp] %s\n' "$*" >&2; }
die() { say "error: $*"; echo "nvme-tcp: 0 passed, 1 failed"; exit 1; }

source "$ROOT/infra/guest/tests/ports.lib.sh"

WORK=${STRATA_NVME_WORK:-$(mktemp -d /tmp/strata-nvme.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE"
ENGINE_LOG=$WORK/engine.log
ENGINE_PID=""

cleanup() {
  set +e
  if [ -n "$ENGINE_PID" ]; then
    kill -TERM "$ENGINE_PID" 2>/dev/null
    local deadline=$((SECONDS + 30))
    while kill -0 "$ENGINE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
    kill -KILL "$ENGINE_PID" 2>/dev/null
  fi
  rm -f "$WORK/lun0.img" "$WORK"/lun0.img.*
  return 0
}
trap cleanup EXIT

[ -f "$ROOT/array-agent/engine/target/strata-engine.jar" ] \
  || die "build the engine first: ./mvnw -B -pl array-agent/engine -am package -DskipTests"

read -r ISCSI_PORT NVME_PORT <<<"$(free_ports 2)"
say "engine: iSCSI 127.0.0.1:$ISCSI_PORT, NVMe/TCP 127.0.0.1:$NVME_PORT (guest: 10.0.2.2), work folder $WORK"
"$ROOT/array-agent/bin/strata-engine" --iqn "$IQN" --portal "127.0.0.1:$ISCSI_PORT" \
  --nvme-portal "127.0.0.1:$NVME_PORT" --nqn "$NQN" --nvme-host "$HOSTNQN" \
  --lun "0=$WORK/lun0.img:1G" >>"$ENGINE_LOG" 2>&1 &
ENGINE_PID=$!
deadline=$((SECONDS + 120))
until grep -q "strata-engine ready" "$ENGINE_LOG" 2>/dev/null; do
  kill -0 "$ENGINE_PID" 2>/dev/null || { tail -20 "$ENGINE_LOG" >&2; die "the engine exited at start"; }
  ((SECONDS < deadline)) || die "the engine was not ready after 120 s"
  sleep 0.3
done

started=$SECONDS
set +e
"$ROOT/infra/guest/run-guest.sh" "$ROOT/infra/guest/tests/nvme-tcp.guest.sh" "$SHARE" \
  "$NQN" "$NVME_PORT" "$HOSTNQN" "$HOSTID" "$FIO_MB" >"$WORK/guest.log" 2>&1
status=$?
set -e

grep -E "^GUEST-|strata-guest:" "$WORK/guest.log" | tr -d '\r' >&2 || true
passed=$(grep -c "^GUEST-OK" "$WORK/guest.log" || true)
say "wall time $((SECONDS - started)) s, guest status $status (console: $WORK/guest.log, engine: $ENGINE_LOG)"
if ((status == 0)); then
  echo "nvme-tcp: $passed passed, 0 failed"
else
  tail -40 "$WORK/guest.log" >&2
  echo "nvme-tcp: $passed passed, 1 failed"
fi
exit "$status"
