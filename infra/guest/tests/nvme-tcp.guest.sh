#!/bin/bash
# Runs INSIDE the test guest (run-guest.sh), driven by nvme-tcp.sh on the host.
#   nvme-tcp.guest.sh NQN PORT HOSTNQN HOSTID FIO_MB
# The host's engine serves subsystem NQN over NVMe/TCP on 127.0.0.1:PORT, which the guest
# reaches as 10.0.2.2, and admits only HOSTNQN. Every check prints "GUEST-OK: ..." or
# "GUEST-FAIL: ..." (and stops).
# Needs nvme-cli in infra/guest/packages.txt and nvme_tcp in infra/guest/modules.txt (not there
# yet: see docs/nvme-tcp.md).
set -uo pipefail

NQN=$1 PORT=$2 HOSTNQN=$3 HOSTID=$4 FIO_MB=$5
ADDR=10.0.2.2
MNT=/mnt/vol
STRANGER=nqn.2014-08.org.nvmexpress:uuid:00000000-0000-0000-0000-00000000dead

ok() { echo "GUEST-OK: $*"; }
fail() {
  echo "GUEST-FAIL: $*"
  dmesg | tail -30 | sed 's/^/GUEST-DMESG: /'
  exit 1
}

command -v nvme >/dev/null || fail "nvme-cli is not in the guest image (infra/guest/packages.txt)"
modprobe nvme_tcp || fail "modprobe nvme_tcp (infra/guest/modules.txt)"
ok "nvme-cli $(nvme version | head -1), nvme_tcp loaded"

nvme discover -t tcp -a "$ADDR" -s "$PORT" -q "$HOSTNQN" -I "$HOSTID" >discover.txt 2>&1 \
  || { cat discover.txt; fail "nvme discover"; }
grep -q "subnqn: *$NQN" discover.txt || { cat discover.txt; fail "the discovery log lacks $NQN"; }
ok "nvme discover lists $NQN"
nvme discover -t tcp -a "$ADDR" -s "$PORT" -q "$STRANGER" >stranger.txt 2>&1
if grep -q "subnqn: *$NQN" stranger.txt; then fail "a host off the list sees $NQN"; fi
ok "a host off the list does not see $NQN"

nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$NQN" -q "$HOSTNQN" -I "$HOSTID" \
  || fail "nvme connect"
dev=""
for _ in $(seq 60); do
  dev=$(ls /dev/nvme*n1 2>/dev/null | head -1)
  [ -n "$dev" ] && break
  sleep 1
done
[ -n "$dev" ] || fail "no namespace block device within 60 s of nvme connect"
ok "connected: $dev, $(($(blockdev --getsize64 "$dev") / 1048576)) MiB"

mkdir -p "$MNT"
mkfs.ext4 -q -F "$dev" || fail "mkfs.ext4 $dev"
mount "$dev" "$MNT" || fail "mount $dev"
fio --name=nvme-verify --filename="$MNT/fio.dat" --size="${FIO_MB}M" --rw=randwrite --bs=16k \
  --ioengine=libaio --iodepth=32 --direct=1 --randrepeat=1 \
  --verify=crc32c --verify_fatal=1 --verify_backlog=0 --do_verify=1 >fio.txt 2>&1 \
  || { tail -20 fio.txt; fail "fio random writes with crc32c verification"; }
ok "fio: ${FIO_MB} MiB of random 16 KiB writes at depth 32 read back and verified (crc32c)"
fstrim -v "$MNT" >/dev/null 2>&1 && ok "fstrim (Dataset Management deallocate)"
umount "$MNT" || fail "umount"
fsck.ext4 -f -n "$dev" >/dev/null 2>&1 || fail "fsck -f after unmount"
ok "fsck -f clean"

nvme disconnect -n "$NQN" || fail "nvme disconnect"
ok "disconnected"
if nvme connect -t tcp -a "$ADDR" -s "$PORT" -n "$NQN" -q "$STRANGER" 2>/dev/null; then
  fail "a host off the list connected"
fi
ok "a host off the list is refused at connect"
