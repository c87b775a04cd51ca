#!/bin/sh
# PID 1 after switch_root (host userland, guest kernel): runs /run/vm/cmd.sh with its output on
# ttyS1, records the exit code in /run/vm/exit-code and powers off. switch_root (not chroot) makes
# the kernel's own modprobe calls (ip_vs_<scheduler>) see this root's /sbin/modprobe and modules.
# Markers ("vipd-guest: ...") go to the kernel console (ttyS0; run.sh shows it on failure or with
# VIPD_IPVS_VM_CONSOLE=1). A watchdog ends a command that outlives its own "done" file
# ($VIPD_IPVS_VM_DONE, touched by a command when its work is written) by $grace s, or the guest's
# deadline ($vm/deadline, s): it dumps where the command's threads are, then SIGKILLs it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
vm=/run/vm
grace=10
say() { echo "vipd-guest: [$(cut -d' ' -f1 /proc/uptime)] $*" > /dev/ttyS0; }
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

# Where every thread of process $1 is: state, kernel wait channel, syscall, kernel stack, open fds;
# with $3 = gdb, the user-space stack too (for node: where it calls uv_run from).
dump() {
  say "diagnostics of pid $1 ($2)"
  {
    ps -eo pid,ppid,stat,wchan:30,time,args 2>&1 | awk '$2 != 2'
    for t in /proc/"$1"/task/*; do
      echo "-- task ${t##*/} $(cat "$t/comm") state $(cut -d' ' -f3 "$t/stat") wchan $(cat "$t/wchan")" \
        "syscall $(cat "$t/syscall")"
      cat "$t/stack"
    done
    ls -l /proc/"$1"/fd
    if [ "${3:-}" = gdb ] && command -v gdb >/dev/null; then
      set -- "$1" -ex 'thread apply 1 bt 8'
      [ "$(cat /proc/"$1"/comm)" = node ] && set -- "$@" -ex 'break uv_run' -ex 'continue' -ex 'bt 6'
      timeout 30 gdb -p "$@" -batch -nx --readnever 2>&1 | grep -E '^(#|Thread)'
    fi
  } > /dev/ttyS0 2>&1
}
deadline=$(cat $vm/deadline 2>/dev/null || echo 0)
export VIPD_IPVS_VM_DONE=/run/cmd-done
say "starting the command"
/bin/bash $vm/cmd.sh </dev/null >/run/out 2>&1 &
cmd_pid=$!
(
  i=0; since=
  while kill -0 $cmd_pid 2>/dev/null && [ $i -lt 3600 ]; do
    sleep 1; i=$((i + 1))
    up=$(cut -d. -f1 /proc/uptime)
    if [ -z "$since" ] && [ -e "$VIPD_IPVS_VM_DONE" ]; then since=$up; say "the command reports done"; fi
    why=
    [ -n "$since" ] && [ $((up - since)) -ge $grace ] && why="alive ${grace} s after reporting done"
    [ "$deadline" -gt 0 ] && [ "$up" -ge "$deadline" ] && why="guest deadline (${deadline} s of uptime)"
    if [ -n "$why" ] && kill -0 $cmd_pid 2>/dev/null; then
      dump $cmd_pid "$why" gdb; sleep 2; dump $cmd_pid "$why, 2 s later"
      say "killing the command (SIGKILL): $why"
      echo "$why" > $vm/watchdog
      kill -9 $cmd_pid; break
    fi
  done
) &
wd_pid=$!
wait $cmd_pid
rc=$?
say "command exited $rc"
kill $wd_pid 2>/dev/null
echo $rc > $vm/exit-code.tmp && mv $vm/exit-code.tmp $vm/exit-code
say "exit code written"
i=0
while kill -0 $cat_pid 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
sync
umount $vm 2>/dev/null
say "powering off"
exec /run/busybox poweroff -f
