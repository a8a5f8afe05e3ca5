#!/usr/bin/env bash
# iSER end to end: the Strata engine and the Linux kernel initiator in one QEMU guest over
# Soft-RoCE (rdma_rxe), since the host has no RDMA. Opt-in (TCG guests are slow): not part of
# mvn verify.
#   infra/guest/tests/iser.sh
# Builds nothing: run ./mvnw -B -pl array-agent/engine -am package -DskipTests first (that also
# builds libdisni where libibverbs-dev and librdmacm-dev are installed).
# Environment: STRATA_ISER_FIO_MB (fio job size, default 64), STRATA_ISER_WORK (work folder).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
IQN=iqn.2026-11.io.strata:iser.a1
FIO_MB=${STRATA_ISER_FIO_MB:-64}

say() { printf '[iser] %s\n' "$*" >&2; }

jar=$ROOT/array-agent/engine/target/strata-engine.jar
lib=$ROOT/array-agent/iser-native/target/native/libdisni.so
[ -f "$jar" ] || { say "missing $jar: build the engine first"; exit 2; }
[ -f "$lib" ] || { say "missing $lib: install libibverbs-dev librdmacm-dev and build"; exit 2; }

WORK=${STRATA_ISER_WORK:-$(mktemp -d /tmp/strata-iser.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE/engine" "$SHARE/native"
cp "$jar" "$SHARE/engine/"
cp -r "$ROOT/array-agent/engine/target/lib" "$SHARE/engine/"
cp "$lib" "$SHARE/native/"

start=$SECONDS
set +e
"$ROOT/infra/guest/run-guest.sh" "$ROOT/infra/guest/tests/iser.guest.sh" "$SHARE" \
  "$IQN" iser-guest iser-chap-secret-1 "$FIO_MB" >"$WORK/guest.log" 2>&1
status=$?
set -e
grep -E "^GUEST-|strata-guest" "$WORK/guest.log" >&2 || true
say "guest wall time $((SECONDS - start)) s (TCG), log $WORK/guest.log"
if ((status == 0)) && grep -q "GUEST-DONE" "$WORK/guest.log"; then
  echo "iser: 1 passed, 0 failed"
  exit 0
fi
echo "iser: 0 passed, 1 failed"
exit 1
