#!/bin/bash
# /init of the Strata test guest (copied into the initramfs by build-guest.sh).
# Mounts the host folder shared over virtio-9p at /mnt/host, brings up the QEMU user network
# (guest 10.0.2.15, host loopback seen as 10.0.2.2, no default route: nothing else is reachable),
# runs /mnt/host/.strata-guest/run.sh with the arguments listed in .strata-guest/args, writes its
# exit status to .strata-guest/exit-status and powers the machine off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp /mnt/host
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t configfs configfs /sys/kernel/config 2>/dev/null
echo 1 >/proc/sys/kernel/sysrq
ln -sf /proc/self/fd /dev/fd

power_off() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 30
}

for module in virtio_pci virtio_net virtio_rng 9pnet_virtio 9p; do
  modprobe "$module" || echo "strata-guest: modprobe $module failed"
done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none host /mnt/host; then
  echo "strata-guest: cannot mount the host folder (virtio-9p tag 'host')"
  power_off
fi

hostname strata-guest
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
echo "10.0.2.2 host" >>/etc/hosts

control=/mnt/host/.strata-guest
args=()
[ -f "$control/args" ] && mapfile -t args <"$control/args"
echo "strata-guest: kernel $(uname -r), running run.sh ${args[*]}"
cd /mnt/host
/bin/bash "$control/run.sh" "${args[@]}"
status=$?
echo "strata-guest: run.sh exited with status $status"
echo "$status" >"$control/exit-status.tmp" && mv "$control/exit-status.tmp" "$control/exit-status"
power_off
