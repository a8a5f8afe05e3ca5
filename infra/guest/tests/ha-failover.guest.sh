#!/bin/bash
# Runs INSIDE the test guest (run-guest.sh), driven by ha-failover.sh on the host.
#   ha-failover.guest.sh IQN PORT1 PORT2 CHAP_USER CHAP_SECRET FIO_MB [INITIATOR_IQN]
# The two engines of one HA array serve IQN on the host's 127.0.0.1:PORT1 (node a, target port
# group 1) and :PORT2 (node b, group 2), which the guest reaches as 10.0.2.2 (eth0) and 10.0.3.2
# (eth1). The guest puts dm-multipath (ALUA prioritizer) over both, ext4 on top, and keeps two
# loads running until the host writes events-done: fio jobs with verify=crc32c, and a probe that
# writes 4 KiB with O_DIRECT|O_SYNC up to 50 times a second and logs when each write completed
# (fio's completion log, Unix time). The host times its failovers, switchovers and partitions with
# its own clock and, from the guest's clock beacon (guest-clock), places them among the probe's
# completions (probe-completions.log) to work out each event's I/O pause.
# cut-path-G / heal-path-G take the path to group G down and up.
# Every check prints "GUEST-OK: ..." or "GUEST-FAIL: ..." (and stops).
set -uo pipefail

IQN=$1 PORT1=$2 PORT2=$3 CHAP_USER=$4 CHAP_SECRET=$5 FIO_MB=$6
INITIATOR_IQN=${7:-iqn.2026-11.io.strata:linux-guest}
PORTAL1=10.0.2.2:$PORT1
PORTAL2=10.0.3.2:$PORT2
SHARE=$PWD
MNT=/mnt/vol

step() { echo "GUEST-STEP: $*"; }
ok() { echo "GUEST-OK: $*"; }
fail() {
  echo "GUEST-FAIL: $*"
  multipath -ll 2>/dev/null | sed 's/^/GUEST-MULTIPATH: /'
  dmesg | tail -40 | sed 's/^/GUEST-DMESG: /'
  exit 1
}
run() { "$@" || fail "$* (status $?)"; }
elapsed() { echo "$((SECONDS))s"; }
now_ms() { date +%s%3N; }

start_initiator() {
  modprobe iscsi_tcp || fail "modprobe iscsi_tcp"
  modprobe sd_mod
  modprobe scsi_dh_alua
  mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi/nodes
  echo "InitiatorName=$INITIATOR_IQN" >/etc/iscsi/initiatorname.iscsi
  run iscsid
  sleep 1
}

# A path whose engine died is given up after 3 s (replacement_timeout), so that dm-multipath
# moves on; NOP-Outs every 2 s find a silent path (a partition) within about 5 s.
new_node() {
  local portal=$1 setting
  run iscsiadm -m node -o new -T "$IQN" -p "$portal" >/dev/null
  for setting in \
    node.session.auth.authmethod=CHAP \
    "node.session.auth.username=$CHAP_USER" \
    "node.session.auth.password=$CHAP_SECRET" \
    node.session.timeo.replacement_timeout=3 \
    "node.conn[0].timeo.noop_out_interval=2" \
    "node.conn[0].timeo.noop_out_timeout=3" \
    node.startup=manual; do
    run iscsiadm -m node -T "$IQN" -p "$portal" -o update -n "${setting%%=*}" -v "${setting#*=}"
  done
}

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

fio_job() {
  local name=$1 file=$2 size=$3
  shift 3
  fio --name="$name" --filename="$file" --size="${size}M" --rw=randwrite --bs=16k \
    --ioengine=libaio --iodepth=16 --direct=1 --randrepeat=0 \
    --verify=crc32c --verify_fatal=1 --verify_backlog=0 --do_verify=1 \
    --output-format=terse --terse-version=3 "$@"
}

setup_multipath() {
  step "dm-multipath with the ALUA prioritizer over $PORTAL1 (group 1) and $PORTAL2 (group 2)"
  run ip link set eth1 up
  run ip addr add 10.0.3.15/24 dev eth1
  new_node "$PORTAL1,1"
  new_node "$PORTAL2,2"
  run iscsiadm -m node -T "$IQN" -p "$PORTAL1,1" --login
  run iscsiadm -m node -T "$IQN" -p "$PORTAL2,2" --login
  DISK1=$(disk_of "$PORTAL1") || fail "no disk through $PORTAL1"
  DISK2=$(disk_of "$PORTAL2") || fail "no disk through $PORTAL2"
  local rtpg
  rtpg=$(sg_rtpg -d "/dev/$DISK1" 2>&1)
  echo "$rtpg" | sed 's/^/GUEST-RTPG: /'
  echo "$rtpg" | grep -qi "active/optimized" || fail "REPORT TARGET PORT GROUPS shows no active/optimized group"
  echo "$rtpg" | grep -qi "standby" || fail "REPORT TARGET PORT GROUPS shows no standby group"
  ok "two sessions (/dev/$DISK1, /dev/$DISK2); RTPG reports an active/optimized and a standby group"

  /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || fail "systemd-udevd"
  udevadm trigger --action=add --subsystem-match=block >/dev/null 2>&1
  udevadm settle --timeout=60
  # What docs/attach-linux.md tells a tenant to use for a Strata HA array (polling_interval 1 and
  # force_sync yes: why there). The host may replace the force_sync line with other lines for the
  # defaults section (multipath-defaults in the share: STRATA_HA_MULTIPATH_DEFAULTS), to compare.
  local extra
  extra=$(cat "$SHARE/multipath-defaults" 2>/dev/null)
  [ -n "${extra//[[:space:]]/}" ] || extra="    force_sync yes"
  cat >/etc/multipath.conf <<CONF
defaults {
    user_friendly_names yes
    find_multipaths no
    polling_interval 1
$extra
}
devices {
    device {
        vendor "STRATA"
        product "VPSA"
        path_grouping_policy group_by_prio
        prio alua
        hardware_handler "1 alua"
        path_checker tur
        failback immediate
        no_path_retry queue
    }
}
CONF
  modprobe dm_multipath
  modprobe dm_round_robin
  # multipathd in the foreground, each line stamped with the guest's Unix time (µs), so that its
  # path checks, failures and reinstatements can be set beside the engines' logs
  # (multipathd-trace.log in the share; docs/benchmarks/failover.md).
  (multipathd -d -v3 2>&1 | while IFS= read -r line; do
    printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"
  done >/tmp/multipathd.log) &
  local waited
  for waited in $(seq 50); do multipathd show daemon >/dev/null 2>&1 && break; sleep 0.2; done
  MAP=""
  local tries
  for tries in $(seq 60); do
    multipath -v0 2>/dev/null
    MAP=$(multipath -l -v1 2>/dev/null | head -1)
    [ -n "$MAP" ] && [ -b "/dev/mapper/$MAP" ] && break
    sleep 1
  done
  [ -n "$MAP" ] || { multipath -v3 2>&1 | tail -30; fail "dm-multipath made no map"; }
  multipath -ll "$MAP" | sed 's/^/GUEST-MULTIPATH: /'
  multipath -ll "$MAP" | grep -qE "prio=5[01]" || fail "no path group with the active/optimized priority (50)"
  ok "dm-multipath map /dev/mapper/$MAP, path groups by ALUA priority [$(elapsed)]"
  run mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "/dev/mapper/$MAP"
  mkdir -p "$MNT"
  run mount "/dev/mapper/$MAP" "$MNT"
  ok "ext4 on /dev/mapper/$MAP mounted [$(elapsed)]"
}

# Stamps the host's events with the guest's clock, and cuts and heals paths when asked.
# Cuts and heals paths when the host asks.
watch_events() {
  while [ ! -f "$SHARE/events-done" ]; do
    [ -f "$SHARE/cut-path-1" ] && ! [ -f /tmp/cut-1 ] && { ip link set eth0 down; touch /tmp/cut-1; }
    [ -f "$SHARE/heal-path-1" ] && [ -f /tmp/cut-1 ] && { ip link set eth0 up; rm -f /tmp/cut-1 "$SHARE/heal-path-1"; }
    [ -f "$SHARE/cut-path-2" ] && ! [ -f /tmp/cut-2 ] && { ip link set eth1 down; touch /tmp/cut-2; }
    [ -f "$SHARE/heal-path-2" ] && [ -f /tmp/cut-2 ] && { ip link set eth1 up; rm -f /tmp/cut-2 "$SHARE/heal-path-2"; }
    sleep 0.1
  done
}

# The probe: one 4 KiB O_SYNC write at a time, 50 a second, each logged with the Unix time (ms)
# it completed (fio's completion-latency log), so a pause shows as a gap between completions.
probe_writes() {
  exec fio --name=probe --filename="$MNT/probe" --size=16M --rw=randwrite --bs=4k \
    --ioengine=psync --direct=1 --sync=1 --rate_iops=50 --time_based --runtime=36000 \
    --write_lat_log=/tmp/probe --log_avg_msec=0 --log_unix_epoch=1 >/tmp/probe.out 2>&1
}

fio_loop() {
  local i=0 previous=""
  while [ ! -f "$SHARE/events-done" ]; do
    i=$((i + 1))
    if ! fio_job "load-$i" "$MNT/load-$i.dat" "$FIO_MB" >"/tmp/fio-$i.out" 2>&1; then
      cat "/tmp/fio-$i.out"
      echo "fio job $i failed" >/tmp/fio-failed
      return 1
    fi
    [ -n "$previous" ] && rm -f "$previous"
    previous=$MNT/load-$i.dat
    echo "$i" >/tmp/fio-jobs
  done
}

# Writes the guest's clock to the shared folder five times a second: the host compares it with
# its own to place its events (timed on the host) among the probe's completions (timed here).
# Once a second it also writes the Unix time (ms) into the kernel log, which maps dmesg's
# seconds since boot onto the guest's clock.
clock_beacon() {
  local beats=0
  while [ ! -f "$SHARE/events-done" ]; do
    now_ms >"$SHARE/guest-clock.tmp" && mv "$SHARE/guest-clock.tmp" "$SHARE/guest-clock"
    ((beats++ % 5 == 0)) && echo "strata-clock $(now_ms)" >/dev/kmsg
    sleep 0.2
  done
}

echo "GUEST-STEP: start [$(date -u +%T)]"
start_initiator
setup_multipath
watch_events &
WATCH_PID=$!
clock_beacon &
BEACON_PID=$!
probe_writes &
PROBE_PID=$!
fio_loop &
FIO_PID=$!
sleep 3
echo ready >"$SHARE/guest-ready"
ok "loads running (fio verify=crc32c jobs of $FIO_MB MiB, a 4 KiB O_SYNC probe at 50 writes/s); host may start [$(elapsed)]"

until [ -f "$SHARE/events-done" ]; do
  kill -0 "$FIO_PID" 2>/dev/null || { [ -f /tmp/fio-failed ] && fail "$(cat /tmp/fio-failed) during the events"; }
  sleep 1
done
wait "$FIO_PID" || fail "a fio job failed its writes or its verification"
kill -INT "$PROBE_PID"
wait "$PROBE_PID"
wait "$WATCH_PID"
wait "$BEACON_PID"
ok "fio: $(cat /tmp/fio-jobs 2>/dev/null || echo 0) jobs of $FIO_MB MiB written and verified across all events, no I/O or verify error [$(elapsed)]"
[ -s /tmp/probe_clat.1.log ] || { cat /tmp/probe.out; fail "the probe logged no write"; }
grep -qiE "io_u error|err= *[1-9]" /tmp/probe.out && { cat /tmp/probe.out; fail "the probe saw an I/O error"; }
ok "the probe completed $(wc -l </tmp/probe_clat.1.log) O_SYNC writes and saw no I/O error"

# The host reads these after the guest stops and works out each event's I/O pause.
cp /tmp/probe_clat.1.log "$SHARE/probe-completions.log"
# What the kernel and multipathd saw, for working out where a pause went.
dmesg >"$SHARE/guest-dmesg.log"
cp /tmp/multipathd.log "$SHARE/multipathd-trace.log"

multipath -ll "$MAP" | sed 's/^/GUEST-MULTIPATH: /'
run umount "$MNT"
fsck.ext4 -f -n "/dev/mapper/$MAP" >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; fail "fsck.ext4 -f after the events"; }
ok "fsck.ext4 -f -n clean: $(tail -1 /tmp/fsck.out) [$(elapsed)]"
ok "all checks passed [$(elapsed)]"
