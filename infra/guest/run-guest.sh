#!/usr/bin/env bash
# Boots the Strata test guest under QEMU, runs SCRIPT inside it, powers it off and exits with
# SCRIPT's exit status (see README.md beside this file).
#   infra/guest/run-guest.sh SCRIPT [HOST_DIR [ARG...]]
# HOST_DIR (default: a new temporary folder) is shared with the guest over virtio-9p and is the
# script's working directory, mounted at /mnt/host; ARGs are passed to the script. The guest
# reaches the host's loopback services at 10.0.2.2 and nothing else.
# Environment: STRATA_GUEST_MEMORY (4G), STRATA_GUEST_CPUS (2), STRATA_GUEST_TIMEOUT (seconds,
# 1800), STRATA_GUEST_QEMU_ARGS (extra QEMU arguments, split on spaces),
# STRATA_GUEST_CONSOLE (file that receives the console too; default HOST_DIR/.strata-guest/console.log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '[strata-guest] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 125; }

(($# >= 1)) || die "usage: run-guest.sh SCRIPT [HOST_DIR [ARG...]]"
script=$1
[ -f "$script" ] || die "no script $script"
if (($# >= 2)); then
  host_dir=$2
  shift 2
else
  host_dir=$(mktemp -d /tmp/strata-guest.XXXXXX)
  shift 1
fi
mkdir -p "$host_dir"
host_dir=$(cd "$host_dir" && pwd)

if ! command -v qemu-system-x86_64 >/dev/null; then
  say "installing qemu-system-x86"
  DEBIAN_FRONTEND=noninteractive apt-get install -o DPkg::Lock::Timeout=600 -y -qq \
    --no-install-recommends qemu-system-x86 >&2 || die "apt-get install qemu-system-x86 failed"
fi

guest=$("$HERE/build-guest.sh") || die "the guest could not be built"

control=$host_dir/.strata-guest
mkdir -p "$control"
rm -f "$control/exit-status"
cp "$script" "$control/run.sh"
printf '%s\n' "$@" >"$control/args"
[ $# -eq 0 ] && : >"$control/args"
console=${STRATA_GUEST_CONSOLE:-$control/console.log}

# The cached initramfs followed by a second archive holding only /init (init.sh): the kernel
# unpacks both in turn, so init.sh changes without rebuilding the guest.
boot=$(mktemp -d /tmp/strata-guest-boot.XXXXXX)
trap 'rm -rf "$boot"' EXIT
mkdir "$boot/overlay"
install -m 0755 "$HERE/init.sh" "$boot/overlay/init"
cp "$guest/initrd.img" "$boot/initrd.img"
truncate -s %4 "$boot/initrd.img" # the kernel looks for the next archive on a 4-byte boundary
(cd "$boot/overlay" && echo init | cpio -o -H newc --quiet) >>"$boot/initrd.img"

extra=()
[ -n "${STRATA_GUEST_QEMU_ARGS:-}" ] && read -r -a extra <<<"$STRATA_GUEST_QEMU_ARGS"

# TCG, not KVM: the KVM device of these machines cannot run a stock kernel (README.md).
say "booting $(cat "$guest/kernel-version") with $(basename "$script"), sharing $host_dir"
set +e
timeout --foreground -k 10 "${STRATA_GUEST_TIMEOUT:-1800}" \
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max \
  -m "${STRATA_GUEST_MEMORY:-4G}" -smp "${STRATA_GUEST_CPUS:-2}" \
  -kernel "$guest/vmlinuz" -initrd "$boot/initrd.img" \
  -append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init" \
  -nographic -no-reboot -nodefaults -serial stdio -monitor none \
  -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
  -virtfs "local,path=$host_dir,mount_tag=host,security_model=passthrough,id=host" \
  -device virtio-rng-pci \
  "${extra[@]}" </dev/null 2>&1 | tee "$console"
qemu_status=${PIPESTATUS[0]}
set -e

if [ ! -f "$control/exit-status" ]; then
  ((qemu_status == 124)) && die "the guest did not finish within ${STRATA_GUEST_TIMEOUT:-1800}s"
  die "the guest stopped (QEMU status $qemu_status) without the script's exit status"
fi
exit "$(cat "$control/exit-status")"
