#!/usr/bin/env bash
# Prepares the QEMU guest used by the real-kernel IPVS tests (idempotent, locked):
# installs the host packages if missing, downloads Debian's kernel package (unpacked, never
# installed), extracts an uncompressed vmlinux and builds a small initramfs.
# Cache: $VIPD_IPVS_VM_DIR (default /var/cache/vipd-ipvs-vm), ~440 MB.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${VIPD_IPVS_VM_DIR:-/var/cache/vipd-ipvs-vm}
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 600 9 || { echo "ipvs-vm setup: could not lock $cache" >&2; exit 1; }
say() { echo "ipvs-vm setup: $*" >&2; }

apt() { DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 "$@"; }
missing=()
for p in qemu-system-x86 busybox-static ipvsadm kmod iproute2 xz-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt update >/dev/null
  apt install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -e "$cache/kernel.ok" ]; then
  rm -rf "$cache/kroot" "$cache"/*.deb
  download() {
    local pkg
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [ -n "$pkg" ] || return 1
    say "downloading $pkg"
    (cd "$cache" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
    compgen -G "$cache/linux-image-*.deb" >/dev/null
  }
  # a stale package list names a kernel the mirror has dropped: update once and retry
  download || { apt update >/dev/null; download; } || { say "kernel download failed"; exit 1; }
  deb=$(compgen -G "$cache/linux-image-*.deb" | head -n1)
  dpkg-deb -x "$deb" "$cache/kroot"
  rm -f "$deb"
  kver=$(ls "$cache/kroot/lib/modules")
  depmod -b "$cache/kroot" "$kver"
  # boot an ELF vmlinux directly: skips ~4 s of XZ decompression under TCG
  off=$(LC_ALL=C grep -obUaP -m1 '\xfd7zXZ\x00' "$cache/kroot/boot/vmlinuz-$kver" | head -n1 | cut -d: -f1) || true
  { tail -c +$((off + 1)) "$cache/kroot/boot/vmlinuz-$kver" | xz -dc --single-stream > "$cache/vmlinux"; } || true
  [ "$(od -An -tx1 -N4 "$cache/vmlinux" | tr -d ' ')" = 7f454c46 ] || { say "vmlinux extraction failed"; exit 1; }
  echo "$kver" > "$cache/kver"
  touch "$cache/kernel.ok"
fi
kver=$(cat "$cache/kver")
mods="$cache/kroot/lib/modules/$kver/kernel"

if [ ! -e "$cache/initramfs.cpio" ] || [ "$here/initramfs-init.sh" -nt "$cache/initramfs.cpio" ] \
   || [ "$here/guest-init.sh" -nt "$cache/initramfs.cpio" ]; then
  tree="$cache/initramfs.d"
  rm -rf "$tree"
  mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,mnt/lower,mnt/rw,newroot,mods}
  cp /bin/busybox "$tree/bin/busybox"
  mknod -m 600 "$tree/dev/console" c 5 1
  mknod -m 666 "$tree/dev/null" c 1 3
  for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
           netfs fscache 9pnet 9pnet_virtio 9p overlay; do
    f=$(find "$mods" -name "$m.ko" -print -quit)
    [ -n "$f" ] || { say "module $m not in the kernel package"; exit 1; }
    cp "$f" "$tree/mods/"
    echo "$m" >> "$tree/mods/order"
  done
  install -m 755 "$here/initramfs-init.sh" "$tree/init"
  install -m 755 "$here/guest-init.sh" "$tree/guest-init.sh"
  (cd "$tree" && find . | busybox cpio -o -H newc 2>/dev/null) > "$cache/initramfs.cpio.tmp"
  mv "$cache/initramfs.cpio.tmp" "$cache/initramfs.cpio"
  rm -rf "$tree"
fi
say "ready: $cache (kernel $kver)"
