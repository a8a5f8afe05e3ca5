#!/usr/bin/env bash
# Builds the Strata test guest: a Debian bookworm minbase system packed whole as an initramfs,
# plus Debian's kernel, for QEMU (see README.md beside this file).
#   infra/guest/build-guest.sh        prints the folder holding vmlinuz and initrd.img
# Idempotent: the guest is cached under ${STRATA_GUEST_CACHE:-/var/cache/strata-guest}/<key>,
# where <key> hashes packages.txt, modules.txt and RECIPE below. A cached guest is reused at
# once; a change to either list or to RECIPE builds a new one (2-3 minutes on an idle machine,
# far more on a busy one). The guest's /init (init.sh) is not part of it: run-guest.sh appends it
# to the initramfs at every boot, so editing init.sh never rebuilds the guest.
set -euo pipefail

# Bump when the way the guest is built changes (not for comments or messages).
RECIPE=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${STRATA_GUEST_CACHE:-/var/cache/strata-guest}
SUITE=bookworm

say() { printf '[strata-guest] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Lines of a list file without comments and blanks.
list_of() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$1" | grep -v '^$'; }

cache_key() {
  { echo "recipe $RECIPE $SUITE"; list_of "$HERE/packages.txt"; list_of "$HERE/modules.txt"; } \
    | sha256sum | cut -c1-16
}

# The host tools the build needs, installed with apt-get when missing.
ensure_host_tools() {
  local missing=() pkg
  for pkg in debootstrap cpio zstd kmod; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -o DPkg::Lock::Timeout=600 -y -qq \
    --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# The Debian mirror the host's own apt uses for $SUITE (deb822 .sources or one-line .list files),
# so the guest comes from the same place as the host's packages. STRATA_GUEST_MIRROR overrides it.
host_mirror() {
  if [ -n "${STRATA_GUEST_MIRROR:-}" ]; then echo "$STRATA_GUEST_MIRROR"; return; fi
  local file mirror=""
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    mirror=$(awk -v suite="$SUITE" '
      /^URIs:/ { uris = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = 1 }
      /^$/ { if (found && uris != "") { print uris; exit } found = 0; uris = "" }
      END { if (found && uris != "") print uris }' "$file" | head -1)
    [ -n "$mirror" ] && break
  done
  if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | sed -e 's/\[[^]]*\]//' | awk -v suite="$SUITE" '$1 == "deb" && $3 == suite { print $2; exit }')
  fi
  [ -n "$mirror" ] || die "no Debian $SUITE mirror in the host's apt sources; set STRATA_GUEST_MIRROR"
  echo "$mirror"
}

# The versioned kernel package behind linux-image-amd64, fetched and unpacked into $1.
fetch_kernel() {
  local into=$1 package
  package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
  [ -n "$package" ] || die "apt-cache knows no linux-image-amd64 (run apt-get update first)"
  say "fetching kernel package $package"
  mkdir -p "$into/deb"
  chmod 777 "$into/deb" # apt-get download drops privileges to _apt when it can write here
  (cd "$into/deb" && apt-get download -qq "$package" >&2) || die "apt-get download $package failed"
  dpkg-deb -x "$into"/deb/*.deb "$into/kernel"
}

# Copies the modules listed in modules.txt (with their dependencies) and the whole crypto, lib
# and arch trees from the unpacked kernel $1 into the guest root $2, then runs depmod there.
install_modules() {
  local kernel=$1 root=$2 version module file
  version=$(ls "$kernel/lib/modules")
  local from=$kernel/lib/modules/$version to=$root/lib/modules/$version
  mkdir -p "$to/kernel"
  cp "$from"/modules.order "$from"/modules.builtin* "$to/"
  (cd "$from" && cp -r --parents kernel/crypto kernel/lib kernel/arch "$to/")
  depmod -b "$kernel" "$version"
  while read -r module; do
    modprobe -d "$kernel" -S "$version" --show-depends "$module" >"$kernel/deps" 2>/dev/null \
      || die "module $module is not in kernel $version"
    while read -r kind file _; do
      [ "$kind" = insmod ] || continue
      (cd "$from" && cp --parents "${file#"$from"/}" "$to/")
    done <"$kernel/deps"
  done < <(list_of "$HERE/modules.txt")
  depmod -b "$root" "$version"
  echo "$version"
}

build() {
  local target=$1 work root mirror version packages
  work=$(mktemp -d "$CACHE/.build.XXXXXX")
  chmod 755 "$work"
  BUILD_WORK=$work
  trap 'rm -rf "$BUILD_WORK"' EXIT
  root=$work/root
  mirror=$(host_mirror)
  packages=$(list_of "$HERE/packages.txt" | paste -sd, -)
  say "debootstrap $SUITE (minbase) from $mirror with $packages"
  debootstrap --variant=minbase --include="$packages" "$SUITE" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

  fetch_kernel "$work"
  version=$(install_modules "$work/kernel" "$root")

  echo "InitiatorName=iqn.2026-11.io.strata:guest" >"$root/etc/iscsi/initiatorname.iscsi"
  echo strata-guest >"$root/etc/hostname"
  # What a test never reads: documentation, translations, apt's downloads.
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$work/packages.installed"

  say "packing the initramfs"
  (cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | zstd -q -T0 -3 >"$work/initrd.img"
  cp "$work/kernel/boot/vmlinuz-$version" "$work/vmlinuz"
  echo "$version" >"$work/kernel-version"

  mkdir -p "$target.tmp"
  mv "$work/vmlinuz" "$work/initrd.img" "$work/kernel-version" "$work/packages.installed" "$target.tmp/"
  mv "$target.tmp" "$target"
  rm -rf "$work"
  say "guest ready in $target (kernel $version, initramfs $(du -h "$target/initrd.img" | cut -f1))"
}

main() {
  [ "$(id -u)" -eq 0 ] || die "building the guest needs root (debootstrap, chroot)"
  mkdir -p "$CACHE"
  local target
  target=$CACHE/$(cache_key)
  if [ ! -f "$target/initrd.img" ]; then
    ensure_host_tools
    # One build at a time: a second caller waits and then finds the guest built.
    exec 9>"$CACHE/.build.lock"
    flock 9
    if [ ! -f "$target/initrd.img" ]; then
      rm -rf "$target.tmp"
      build "$target"
    fi
    flock -u 9
  fi
  echo "$target"
}

main "$@"
