#!/bin/bash
# Runs INSIDE the test guest, driven by iser-bench.sh on the host (a benchmark, not a test).
#   iser-bench.guest.sh RUNTIME_SECONDS
# Soft-RoCE on eth0; four targets in this guest, each a 512 MiB file on tmpfs: the Strata engine
# over iSER and over TCP, tgtd over iSER and over TCP. The kernel initiator logs in to one at a
# time and runs the same fio jobs on the raw disk; results go to fio-<target>-<job>.json.
set -uo pipefail

RUNTIME=$1
ADDR=10.0.2.15
SHARE=$PWD
INITIATOR=iqn.2026-11.io.strata:bench-guest
ENGINE_IQN=iqn.2026-11.io.strata:bench.engine
TGT_TCP_IQN=iqn.2026-11.io.strata:bench.tgt-tcp
TGT_ISER_IQN=iqn.2026-11.io.strata:bench.tgt-iser

step() { echo "GUEST-STEP: [${SECONDS}s] $*"; }
fail() {
  echo "GUEST-FAIL: $*"
  dmesg | tail -30 | sed 's/^/GUEST-DMESG: /'
  exit 1
}
run() { "$@" || fail "$* (status $?)"; }

step "Soft-RoCE"
for m in rdma_rxe ib_uverbs rdma_ucm ib_iser iscsi_tcp sd_mod; do run modprobe "$m"; done
run rdma link add rxe0 type rxe netdev eth0
mkdir -p /tmp/lun

step "Strata engine: TCP on 3261, iSER on 3262"
java -Xms256m -Xmx512m --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
  -Djava.library.path="$SHARE/native" -jar "$SHARE/engine/strata-engine.jar" \
  --portal "$ADDR:3261" --iser-portal "$ADDR:3262" --iqn "$ENGINE_IQN" \
  --lun "0=/tmp/lun/engine.img:512M" >"$SHARE/engine.log" 2>&1 &
for _ in $(seq 1 240); do grep -q "strata-engine ready" "$SHARE/engine.log" && break; sleep 1; done
grep -q "strata-engine ready" "$SHARE/engine.log" || fail "the engine did not start"

step "tgtd: TCP and iSER on 3260"
run truncate -s 512M /tmp/lun/tgt-tcp.img
run truncate -s 512M /tmp/lun/tgt-iser.img
tgtd --iser pool_sz_mb=128 >"$SHARE/tgtd.log" 2>&1 || fail "tgtd"
sleep 2
run tgtadm --lld iscsi --op new --mode target --tid 1 -T "$TGT_TCP_IQN"
run tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b /tmp/lun/tgt-tcp.img
run tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL
run tgtadm --lld iser --op new --mode target --tid 2 -T "$TGT_ISER_IQN"
run tgtadm --lld iser --op new --mode logicalunit --tid 2 --lun 1 -b /tmp/lun/tgt-iser.img
run tgtadm --lld iser --op bind --mode target --tid 2 -I ALL
run tgtadm --lld iser --op bind --mode target --tid 2 -Q "$INITIATOR"

mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi/nodes
echo "InitiatorName=$INITIATOR" >/etc/iscsi/initiatorname.iscsi
run iscsid
sleep 1

# bench NAME IQN PORT IFACE
bench() {
  local name=$1 iqn=$2 port=$3 iface=$4 dev=""
  step "$name: login"
  run iscsiadm -m node -o new -T "$iqn" -p "$ADDR:$port" -I "$iface" >/dev/null
  run iscsiadm -m node -T "$iqn" -p "$ADDR:$port" -I "$iface" --login
  for _ in $(seq 1 60); do
    dev=$(iscsiadm -m session -P 3 2>/dev/null | awk '/Attached scsi disk/ {print $4; exit}')
    [ -n "$dev" ] && [ -b "/dev/$dev" ] && break
    sleep 1
  done
  [ -n "$dev" ] || fail "$name: no disk"
  iscsiadm -m session -P 1 | grep "Iface Transport" | sed "s/^/GUEST-INFO: $name /"
  local sent=$(cat /sys/class/infiniband/rxe0/ports/1/hw_counters/sent_pkts)
  # Fill the disk once so reads hit written blocks on every target alike.
  run fio --name=fill --filename="/dev/$dev" --rw=write --bs=1M --iodepth=4 --ioengine=libaio \
    --direct=1 --size=256M --output=/dev/null
  step "$name: jobs"
  run fio --name=rand4k --filename="/dev/$dev" --rw=randrw --rwmixread=70 --bs=4k \
    --iodepth=32 --ioengine=libaio --direct=1 --size=256M --runtime="$RUNTIME" --time_based \
    --output-format=json --output="$SHARE/fio-$name-rand4k.json"
  run fio --name=seq256k --filename="/dev/$dev" --rw=read --bs=256k \
    --iodepth=8 --ioengine=libaio --direct=1 --size=256M --runtime="$RUNTIME" --time_based \
    --output-format=json --output="$SHARE/fio-$name-seq256k.json"
  echo "GUEST-INFO: $name rxe0 sent_pkts +$(( $(cat /sys/class/infiniband/rxe0/ports/1/hw_counters/sent_pkts) - sent ))"
  run iscsiadm -m node -T "$iqn" -p "$ADDR:$port" -I "$iface" --logout
  run iscsiadm -m node -T "$iqn" -p "$ADDR:$port" -I "$iface" -o delete
}

bench engine-iser "$ENGINE_IQN" 3262 iser
bench engine-tcp "$ENGINE_IQN" 3261 default
bench tgt-iser "$TGT_ISER_IQN" 3260 iser
bench tgt-tcp "$TGT_TCP_IQN" 3260 default
nproc | sed 's/^/GUEST-INFO: guest cpus /'
echo "GUEST-DONE: benchmark finished in ${SECONDS}s"
