#!/usr/bin/env bash
# run.sh CMD [ARGS...]: boots the IPVS guest (prepared by setup.sh) on the host's own root
# filesystem (read-only 9p + tmpfs overlay), runs CMD in $PWD with the exported environment,
# streams its merged output and exits with its status; 125 = the guest never reported one.
# Env: VIPD_IPVS_VM_DIR (cache), VIPD_IPVS_VM_RW (host folder the guest may write, same path),
#      VIPD_IPVS_VM_TIMEOUT (s, default 300), VIPD_IPVS_VM_MEM (MiB, default 512),
#      VIPD_IPVS_VM_CONSOLE=1 (print the kernel console). A command the guest's watchdog had to end
#      (alive 10 s after touching $VIPD_IPVS_VM_DONE, or at the deadline) exits 137, its diagnostics printed.
set -uo pipefail
cache=${VIPD_IPVS_VM_DIR:-/var/cache/vipd-ipvs-vm}
[ $# -gt 0 ] || { echo "usage: $0 CMD [ARGS...]" >&2; exit 2; }
if [ ! -e "$cache/initramfs.cpio" ] || [ ! -e "$cache/vmlinux" ]; then
  echo "ipvs-vm run: $cache is not prepared; run test/lab/ipvs-vm/setup.sh" >&2; exit 125
fi
# KVM here is PVM-only (cannot boot a stock kernel): TCG unless real VT-x/AMD-V is loaded
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
  accel=(-accel kvm -cpu host)
else
  accel=(-accel tcg,thread=multi -cpu max)
fi
run=$(mktemp -d "${TMPDIR:-/tmp}/vipd-ipvs-vm.XXXXXX")
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; rm -rf "$run"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "$cache/kroot/lib/modules" > "$run/moddir"
# the guest's own deadline (uptime, s): its watchdog reports where a hung command is, then ends it
echo $(( ${VIPD_IPVS_VM_TIMEOUT:-300} - 15 )) > "$run/deadline"
rw=()
if [ -n "${VIPD_IPVS_VM_RW:-}" ]; then
  mkdir -p "$VIPD_IPVS_VM_RW"; rwdir=$(cd "$VIPD_IPVS_VM_RW" && pwd)
  echo "$rwdir" > "$run/rwdir"
  rw=(-fsdev "local,id=rw,path=$rwdir,security_model=none" -device virtio-9p-pci,fsdev=rw,mount_tag=rwdir)
fi
{
  export -p | grep -v -E '^declare -x (PWD|OLDPWD|SHLVL|_|HOSTNAME|TERM)(=|$)'
  printf 'cd -- %q || exit 125\n' "$PWD"
  printf 'exec'; printf ' %q' "$@"; printf '\n'
} > "$run/cmd.sh"
timeout -k 5 "${VIPD_IPVS_VM_TIMEOUT:-300}" qemu-system-x86_64 "${accel[@]}" -M pc -nodefaults \
  -no-user-config -m "${VIPD_IPVS_VM_MEM:-512}" -smp 2 -display none -monitor none -no-reboot \
  -bios /usr/share/qemu/qboot.rom -kernel "$cache/vmlinux" -initrd "$cache/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off nokaslr rdinit=/init" \
  -serial "file:$run/console.log" -serial stdio \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev "local,id=ctl,path=$run,security_model=none" -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl \
  "${rw[@]}" </dev/null &
qpid=$!
wait "$qpid"; qrc=$?; qpid=
[ "${VIPD_IPVS_VM_CONSOLE:-0}" = 1 ] && cat "$run/console.log" >&2
if [ -s "$run/watchdog" ]; then
  echo "ipvs-vm run: the guest's watchdog ended the command ($(cat "$run/watchdog")); kernel console:" >&2
  [ "${VIPD_IPVS_VM_CONSOLE:-0}" = 1 ] || tail -n 300 "$run/console.log" >&2
fi
[ -s "$run/exit-code" ] && exit "$(cat "$run/exit-code")"
echo "ipvs-vm run: the guest reported no exit code (qemu status $qrc); kernel console:" >&2
tail -n 40 "$run/console.log" >&2 2>/dev/null
exit 125
