#!/bin/sh
# PID 1 after switch_root (host userland, guest kernel): runs /run/vm/cmd.sh with its output on
# ttyS1, records the exit code in /run/vm/exit-code and powers off. switch_root (not chroot) makes
# the kernel's own modprobe calls (ip_vs_<scheduler>) see this root's /sbin/modprobe and modules.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
vm=/run/vm
mkdir -p /lib/modules
mount --bind "$(cat $vm/moddir)" /lib/modules
echo /sbin/modprobe > /proc/sys/kernel/modprobe
if [ -s $vm/rwdir ]; then
  rw=$(cat $vm/rwdir); mkdir -p "$rw"
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 rwdir "$rw"
fi
ip link set lo up 2>/dev/null
stty -F /dev/ttyS1 raw -echo 2>/dev/null
# through a FIFO: the command sees a pipe (no TTY), and a stray daemon cannot block power-off
mkfifo /run/out
cat /run/out > /dev/ttyS1 &
cat_pid=$!
/bin/bash $vm/cmd.sh </dev/null >/run/out 2>&1
echo $? > $vm/exit-code.tmp && mv $vm/exit-code.tmp $vm/exit-code
i=0
while kill -0 $cat_pid 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
sync
umount $vm 2>/dev/null
exec /run/busybox poweroff -f
