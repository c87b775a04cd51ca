#!/bin/busybox sh
# PID 1 of the guest's initramfs: loads virtio/9p/overlay, mounts the host's / read-only under a
# tmpfs overlay plus the per-run control folder, then switch_root's into guest-init.sh.
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
fail() { echo "vipd ipvs-vm init: $*"; sync; poweroff -f; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mods/order); do insmod "/mods/$m.ko" || fail "insmod $m"; done
opts=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$opts,ro,cache=loose" hostroot /mnt/lower || fail "9p hostroot"
mount -t tmpfs -o mode=0755 rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work root /newroot \
  || fail "overlay"
r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
ln -s /proc/self/fd $r/dev/fd
ln -s /proc/self/fd/0 $r/dev/stdin
ln -s /proc/self/fd/1 $r/dev/stdout
ln -s /proc/self/fd/2 $r/dev/stderr
mount -t tmpfs -o mode=0755 tmpfs $r/run
mkdir -p $r/run/vm
mount -t 9p -o "$opts" ctl $r/run/vm || fail "9p control folder"
cp /bin/busybox $r/run/busybox
cp /guest-init.sh $r/run/guest-init.sh
umount /proc /sys /dev 2>/dev/null
exec switch_root $r /bin/sh /run/guest-init.sh
