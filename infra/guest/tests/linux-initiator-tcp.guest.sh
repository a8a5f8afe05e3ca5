#!/bin/bash
# Runs INSIDE the test guest (run-guest.sh), driven by linux-initiator-tcp.sh on the host.
#   linux-initiator-tcp.guest.sh IQN PORT1 PORT2 CHAP_USER CHAP_SECRET FIO_MB
# The host's engine serves IQN on 127.0.0.1:PORT1 and :PORT2, which the guest reaches as
# 10.0.2.2 (first NIC) and 10.0.3.2 (second NIC, for the second multipath path).
# Every check prints "GUEST-OK: ..." or "GUEST-FAIL: ..." (and stops). The engine kill is
# coordinated through files in the shared folder (the working directory): the guest writes
# kill-engine, the host answers engine-killed and then engine-restarted.
set -uo pipefail

IQN=$1 PORT1=$2 PORT2=$3 CHAP_USER=$4 CHAP_SECRET=$5 FIO_MB=$6
PORTAL1=10.0.2.2:$PORT1
PORTAL2=10.0.3.2:$PORT2
SHARE=$PWD
MNT=/mnt/vol

step() { echo "GUEST-STEP: $*"; }
ok() { echo "GUEST-OK: $*"; }
fail() {
  echo "GUEST-FAIL: $*"
  dmesg | tail -30 | sed 's/^/GUEST-DMESG: /'
  exit 1
}
run() { "$@" || fail "$* (status $?)"; }
elapsed() { echo "$((SECONDS))s"; }

# --- the initiator ---------------------------------------------------------------------------

start_initiator() {
  modprobe iscsi_tcp || fail "modprobe iscsi_tcp"
  modprobe sd_mod
  mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi/nodes
  echo "InitiatorName=iqn.2026-11.io.strata:linux-guest" >/etc/iscsi/initiatorname.iscsi
  run iscsid
  sleep 1
}

# new_node PORTAL[,TPGT] REPLACEMENT_TIMEOUT: a node record with CHAP and the given timeouts.
new_node() {
  local portal=$1 replacement=$2
  run iscsiadm -m node -o new -T "$IQN" -p "$portal" >/dev/null
  local setting
  for setting in \
    node.session.auth.authmethod=CHAP \
    "node.session.auth.username=$CHAP_USER" \
    "node.session.auth.password=$CHAP_SECRET" \
    "node.session.timeo.replacement_timeout=$replacement" \
    "node.conn[0].timeo.noop_out_interval=5" \
    "node.conn[0].timeo.noop_out_timeout=10" \
    node.startup=manual; do
    run iscsiadm -m node -T "$IQN" -p "$portal" -o update -n "${setting%%=*}" -v "${setting#*=}"
  done
}

login() { run iscsiadm -m node -T "$IQN" -p "$1" --login; }
logout() { run iscsiadm -m node -T "$IQN" -p "$1" --logout; }

# disk_of PORTAL: the sdX the session through PORTAL attached (waits up to 60 s).
disk_of() {
  local portal=${1%%,*} disk="" tries
  for tries in $(seq 120); do
    disk=$(iscsiadm -m session -P 3 2>/dev/null | awk -v p="$portal," '
      /Current Portal:/ { current = (index($3, p) == 1) }
      /Attached scsi disk/ && current && $6 == "running" { print $4; exit }')
    [ -n "$disk" ] && [ -b "/dev/$disk" ] && { echo "$disk"; return 0; }
    sleep 0.5
  done
  return 1
}

session_id_of() {
  iscsiadm -m session 2>/dev/null | awk -v p="${1%%,*}," 'index($3, p) == 1 { gsub(/[\[\]]/, "", $2); print $2 }'
}

# --- fio -------------------------------------------------------------------------------------

# fio_job NAME FILE SIZE_MB [fio options...]: random writes at queue depth 32, each block with a
# crc32c checksum and a header naming its offset, read back and checked after the write phase.
fio_job() {
  local name=$1 file=$2 size=$3
  shift 3
  fio --name="$name" --filename="$file" --size="${size}M" --rw=randwrite --bs=16k \
    --ioengine=libaio --iodepth=32 --direct=1 --randrepeat=1 \
    --verify=crc32c --verify_fatal=1 --verify_backlog=0 --do_verify=1 \
    --output-format=terse --terse-version=3 "$@"
}

# fio_summary TERSE_LINE: "written W MiB, read R MiB" from fio's terse output (fields 6 and 47: KiB).
fio_summary() {
  awk -F';' '/^3;/ { printf "wrote %d MiB, read back %d MiB", $47 / 1024, $6 / 1024 }' "$1"
}

# --- the test --------------------------------------------------------------------------------

single_path_file_system() {
  step "login through $PORTAL1 with CHAP"
  new_node "$PORTAL1" 120
  login "$PORTAL1"
  local disk
  disk=$(disk_of "$PORTAL1") || fail "no disk attached after login"
  ok "logged in with CHAP through $PORTAL1, session $(session_id_of "$PORTAL1"), disk /dev/$disk of $(($(blockdev --getsize64 "/dev/$disk") / 1048576)) MiB [$(elapsed)]"

  run mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "/dev/$disk"
  ok "mkfs.ext4 /dev/$disk [$(elapsed)]"
  mkdir -p "$MNT"
  run mount "/dev/$disk" "$MNT"
  fio_job write-verify "$MNT/fio.dat" "$FIO_MB" >/tmp/fio1.out 2>&1 || { cat /tmp/fio1.out; fail "fio write+verify"; }
  ok "fio randwrite iodepth 32 verify=crc32c on ext4: $(fio_summary /tmp/fio1.out), no verify error [$(elapsed)]"
  run umount "$MNT"
  logout "$PORTAL1"
  ok "unmounted and logged out [$(elapsed)]"

  login "$PORTAL1"
  disk=$(disk_of "$PORTAL1") || fail "no disk after the second login"
  fsck.ext4 -f -n "/dev/$disk" >/tmp/fsck1.out 2>&1 || { cat /tmp/fsck1.out; fail "fsck -f after re-login"; }
  ok "logged in again (/dev/$disk), fsck.ext4 -f -n clean: $(tail -1 /tmp/fsck1.out) [$(elapsed)]"
  run mount "/dev/$disk" "$MNT"
  fio_job write-verify "$MNT/fio.dat" "$FIO_MB" --verify_only >/tmp/fio2.out 2>&1 || { cat /tmp/fio2.out; fail "fio --verify_only after re-login"; }
  ok "fio --verify_only after re-login: read back $(awk -F';' '/^3;/ { printf "%d", $6 / 1024 }' /tmp/fio2.out) MiB, every block intact [$(elapsed)]"
}

engine_kill_during_writes() {
  step "write load while the host kills the engine with SIGKILL and restarts it"
  local sid_before disk fio_pid status
  sid_before=$(session_id_of "$PORTAL1")
  disk=$(disk_of "$PORTAL1")
  fio_job kill-load "$MNT/kill.dat" "$FIO_MB" >/tmp/fio3.out 2>&1 &
  fio_pid=$!
  sleep 3
  kill -0 "$fio_pid" 2>/dev/null || { cat /tmp/fio3.out; fail "the write load ended before the kill"; }
  echo "fio running" >"$SHARE/kill-engine"
  local waited=0
  until [ -f "$SHARE/engine-killed" ]; do
    sleep 0.2; waited=$((waited + 1)); ((waited < 300)) || fail "the host never killed the engine"
  done
  kill -0 "$fio_pid" 2>/dev/null || fail "the write load ended before the engine died: nothing was tested"
  ok "engine killed while fio was writing [$(elapsed)]"
  wait "$fio_pid"
  status=$?
  ((status == 0)) || { cat /tmp/fio3.out; fail "fio across the engine kill (status $status)"; }
  [ -f "$SHARE/engine-restarted" ] || fail "fio finished but the host never restarted the engine"
  ok "fio randwrite+verify across the kill: $(fio_summary /tmp/fio3.out), no I/O or verify error [$(elapsed)]"
  dmesg | grep -E "connection[0-9]+:[0-9]+: detected conn error" | tail -1 | sed 's/^/GUEST-DMESG: /'
  dmesg | grep -qE "detected conn error" || fail "the kernel never saw the connection drop"
  local sid_after
  sid_after=$(session_id_of "$PORTAL1")
  [ "$sid_after" = "$sid_before" ] || fail "session $sid_before was replaced by $sid_after (expected recovery of the same session)"
  local state
  state=$(iscsiadm -m session -r "$sid_after" -P 1 | awk -F': ' '/iSCSI Session State/ { print $2 }')
  [ "$state" = LOGGED_IN ] || fail "session state after recovery: $state"
  ok "the initiator recovered session $sid_after by itself (state $state, still /dev/$(disk_of "$PORTAL1")) [$(elapsed)]"
  run umount "$MNT"
  fsck.ext4 -f -n "/dev/$disk" >/tmp/fsck2.out 2>&1 || { cat /tmp/fsck2.out; fail "fsck -f after the engine kill"; }
  ok "fsck.ext4 -f -n clean after the engine kill: $(tail -1 /tmp/fsck2.out) [$(elapsed)]"
  logout "$PORTAL1"
  run iscsiadm -m node -T "$IQN" -p "$PORTAL1" -o delete
}

multipath_two_portals() {
  step "multipath through two portals: $PORTAL1 (eth0) and $PORTAL2 (eth1)"
  run ip link set eth1 up
  run ip addr add 10.0.3.15/24 dev eth1
  new_node "$PORTAL1,1" 10
  new_node "$PORTAL2,2" 10
  login "$PORTAL1,1"
  login "$PORTAL2,2"
  local disk1 disk2 id1 id2 disk
  disk1=$(disk_of "$PORTAL1") || fail "no disk through $PORTAL1"
  disk2=$(disk_of "$PORTAL2") || fail "no disk through $PORTAL2"
  # The WWID multipath uses: built from the logical unit's designator in VPD page 0x83, which
  # must be the same through both portals (the relative target port designators differ).
  id1=$(/lib/udev/scsi_id -g -u -d "/dev/$disk1")
  id2=$(/lib/udev/scsi_id -g -u -d "/dev/$disk2")
  [ -n "$id1" ] && [ "$id1" = "$id2" ] || fail "the two paths name different logical units: '$id1' vs '$id2'"
  local port1 port2 ports
  port1=$(sg_inq -p 0x83 "/dev/$disk1" | awk '/Relative target port:/ { print $NF }')
  port2=$(sg_inq -p 0x83 "/dev/$disk2" | awk '/Relative target port:/ { print $NF }')
  ports="$port1/$port2"
  [ -n "$port1" ] && [ -n "$port2" ] && [ "$port1" != "$port2" ] \
    || { sg_inq -p 0x83 "/dev/$disk1"; fail "the two paths should be two relative target ports, found '$ports'"; }
  ok "two sessions, /dev/$disk1 via $PORTAL1 and /dev/$disk2 via $PORTAL2, same WWID $id1, relative target ports $ports"

  /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || fail "systemd-udevd"
  udevadm trigger --action=add --subsystem-match=block >/dev/null 2>&1
  udevadm settle --timeout=60
  cat >/etc/multipath.conf <<'CONF'
defaults {
    user_friendly_names yes
    find_multipaths no
    polling_interval 2
    no_path_retry 6
}
overrides {
    path_grouping_policy multibus
}
CONF
  modprobe dm_multipath
  modprobe dm_round_robin
  run multipathd
  local map="" tries
  for tries in $(seq 60); do
    multipath -v0 2>/dev/null
    map=$(multipath -l -v1 2>/dev/null | head -1)
    [ -n "$map" ] && [ -b "/dev/mapper/$map" ] && break
    sleep 1
  done
  [ -n "$map" ] || { multipath -v3 2>&1 | tail -30; fail "dm-multipath made no map"; }
  multipath -ll "$map" | sed 's/^/GUEST-MULTIPATH: /'
  local active
  active=$(multipath -ll "$map" | grep -cE "active ready running")
  ((active == 2)) || fail "expected 2 active paths in $map, found $active"
  ok "dm-multipath map /dev/mapper/$map with 2 active paths [$(elapsed)]"

  local writes1_before writes2_before
  writes1_before=$(awk '{ print $5 }' "/sys/block/$disk1/stat")
  writes2_before=$(awk '{ print $5 }' "/sys/block/$disk2/stat")
  fio_job multipath "/dev/mapper/$map" "$FIO_MB" >/tmp/fio4.out 2>&1 &
  local fio_pid=$! status writes1=0 writes2=0 tries
  # Cut a path only once the load has written through both (fio starts slowly under emulation).
  for tries in $(seq 120); do
    sleep 0.5
    kill -0 "$fio_pid" 2>/dev/null || { cat /tmp/fio4.out; fail "the multipath write load ended before the path was cut"; }
    writes1=$(($(awk '{ print $5 }' "/sys/block/$disk1/stat") - writes1_before))
    writes2=$(($(awk '{ print $5 }' "/sys/block/$disk2/stat") - writes2_before))
    ((writes1 >= 20 && writes2 >= 20)) && break
  done
  ((writes1 >= 20 && writes2 >= 20)) || fail "I/O did not use both paths within 60 s ($writes1 and $writes2 writes)"
  ok "writes on both paths before the cut: $writes1 via $disk1, $writes2 via $disk2"
  run ip link set eth1 down
  ok "cut the second path (eth1 down) while fio was writing [$(elapsed)]"
  wait "$fio_pid"
  status=$?
  ((status == 0)) || { cat /tmp/fio4.out; fail "fio through dm-multipath after losing a path (status $status)"; }
  ok "fio randwrite+verify through dm-multipath went on after the path loss: $(fio_summary /tmp/fio4.out), no error [$(elapsed)]"
  multipath -ll "$map" | sed 's/^/GUEST-MULTIPATH: /'
  multipath -ll "$map" | grep -qE "failed|faulty" || fail "multipath still shows the cut path as healthy"
  ok "multipath shows the cut path failed and the other active"
}

echo "GUEST-STEP: start [$(date -u +%T)]"
start_initiator
single_path_file_system
engine_kill_during_writes
multipath_two_portals
ok "all checks passed [$(elapsed)]"
