#!/bin/bash
# Runs INSIDE the test guest (run-guest.sh), driven by iser.sh on the host.
#   iser.guest.sh IQN CHAP_USER CHAP_SECRET FIO_MB
# Soft-RoCE on eth0 (rxe0); the Strata engine from the shared folder (engine/, native/) serves
# IQN over iSER on 10.0.2.15:3260; the kernel initiator in this same guest logs in with
# -I iser and CHAP, makes ext4, writes and verifies with fio, logs out and in, checks with
# fsck -f and fio --verify_only, and checks the session's transport and the RDMA counters.
# Every check prints "GUEST-OK: ..." or "GUEST-FAIL: ..." (and stops).
set -uo pipefail

IQN=$1 CHAP_USER=$2 CHAP_SECRET=$3 FIO_MB=$4
ADDR=10.0.2.15
PORT=3260
SHARE=$PWD
MNT=/mnt/vol
ENGINE_LOG=$SHARE/engine.log

step() { echo "GUEST-STEP: [${SECONDS}s] $*"; }
ok() { echo "GUEST-OK: $*"; }
fail() {
  echo "GUEST-FAIL: $*"
  dmesg | tail -40 | sed 's/^/GUEST-DMESG: /'
  tail -40 "$ENGINE_LOG" 2>/dev/null | sed 's/^/GUEST-ENGINE: /'
  exit 1
}
run() { "$@" || fail "$* (status $?)"; }

counter() { cat "/sys/class/infiniband/rxe0/ports/1/hw_counters/$1" 2>/dev/null || echo 0; }

step "Soft-RoCE"
for m in rdma_rxe ib_uverbs rdma_ucm ib_iser sd_mod; do run modprobe "$m"; done
run rdma link add rxe0 type rxe netdev eth0
rdma link show | sed 's/^/GUEST-INFO: /'
[ -e /sys/class/infiniband/rxe0 ] || fail "no rxe0 device"
ok "rxe0 on eth0"

step "engine over iSER"
mkdir -p /tmp/engine
java -Xms128m -Xmx512m --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
  -Djava.library.path="$SHARE/native" -jar "$SHARE/engine/strata-engine.jar" \
  --iser-portal "$ADDR:$PORT" --iqn "$IQN" --lun "0=/tmp/engine/lun0.img:512M" \
  --chap "$CHAP_USER:$CHAP_SECRET" >"$ENGINE_LOG" 2>&1 &
ENGINE_PID=$!
for _ in $(seq 1 240); do
  grep -q "strata-engine ready" "$ENGINE_LOG" && break
  kill -0 "$ENGINE_PID" 2>/dev/null || fail "the engine exited"
  sleep 1
done
grep -q "strata-engine ready" "$ENGINE_LOG" || fail "the engine did not start"
ok "$(grep 'strata-engine ready' "$ENGINE_LOG")"

step "initiator login over iSER"
mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi/nodes
echo "InitiatorName=iqn.2026-11.io.strata:iser-guest" >/etc/iscsi/initiatorname.iscsi
run iscsid
sleep 1
sent_before=$(counter sent_pkts)
rcvd_before=$(counter rcvd_pkts)
run iscsiadm -m node -o new -T "$IQN" -p "$ADDR:$PORT" -I iser >/dev/null
# Generous login timeouts: a TCG guest on a busy host can take many seconds per login step.
for setting in node.session.auth.authmethod=CHAP "node.session.auth.username=$CHAP_USER" \
  "node.session.auth.password=$CHAP_SECRET" node.startup=manual \
  "node.conn[0].timeo.login_timeout=120" node.session.initial_login_retry_max=16; do
  run iscsiadm -m node -T "$IQN" -p "$ADDR:$PORT" -I iser -o update \
    -n "${setting%%=*}" -v "${setting#*=}"
done

login() {
  run iscsiadm -m node -T "$IQN" -p "$ADDR:$PORT" -I iser --login
  DEV=""
  for _ in $(seq 1 60); do
    DEV=$(iscsiadm -m session -P 3 2>/dev/null | awk '/Attached scsi disk/ {print $4; exit}')
    [ -n "$DEV" ] && [ -b "/dev/$DEV" ] && break
    sleep 1
  done
  [ -n "$DEV" ] && [ -b "/dev/$DEV" ] || fail "no disk after login"
  DEV=/dev/$DEV
}
login
session=$(iscsiadm -m session -P 1)
echo "$session" | sed 's/^/GUEST-SESSION: /'
echo "$session" | grep -q "Iface Transport: iser" || fail "the session's transport is not iser"
ok "session transport iser, disk $DEV"

step "mkfs.ext4 and fio write+verify ($FIO_MB MB)"
run mkfs.ext4 -q -F "$DEV"
mkdir -p "$MNT"
run mount "$DEV" "$MNT"
FIO_JOB=(--name=iser --directory="$MNT" --size="${FIO_MB}M" --bs=4k --rw=randwrite
  --ioengine=libaio --iodepth=32 --direct=1 --verify=crc32c --verify_fatal=1
  --do_verify=1 --randrepeat=1 --group_reporting)
fio "${FIO_JOB[@]}" --output="$SHARE/fio-write.txt" || fail "fio write/verify"
grep -E "WRITE:|READ:" "$SHARE/fio-write.txt" | sed 's/^/GUEST-FIO: /'
ok "fio wrote and verified ${FIO_MB} MB with crc32c"
run umount "$MNT"

step "logout, login, fsck and verify again"
run iscsiadm -m node -T "$IQN" -p "$ADDR:$PORT" -I iser --logout
login
run fsck.ext4 -f -n "$DEV"
ok "fsck -f clean after logging in again"
run mount "$DEV" "$MNT"
fio "${FIO_JOB[@]}" --verify_only --output="$SHARE/fio-verify.txt" || fail "fio --verify_only"
ok "fio --verify_only found every block intact"
run umount "$MNT"
run iscsiadm -m node -T "$IQN" -p "$ADDR:$PORT" -I iser --logout

sent_after=$(counter sent_pkts)
rcvd_after=$(counter rcvd_pkts)
echo "GUEST-INFO: rxe0 sent_pkts $sent_before -> $sent_after, rcvd_pkts $rcvd_before -> $rcvd_after"
rdma statistic show link rxe0/1 2>/dev/null | sed 's/^/GUEST-RDMA: /'
((sent_after > sent_before + 10000 && rcvd_after > rcvd_before + 10000)) \
  || fail "the RDMA counters did not move"
ok "RDMA counters moved: sent_pkts +$((sent_after - sent_before)), rcvd_pkts +$((rcvd_after - rcvd_before))"

kill "$ENGINE_PID"
wait "$ENGINE_PID" 2>/dev/null
grep -E "SEVERE|Exception" "$ENGINE_LOG" | head -5 | sed 's/^/GUEST-ENGINE: /'
echo "GUEST-DONE: all iSER checks passed in ${SECONDS}s"
