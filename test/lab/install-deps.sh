#!/usr/bin/env bash
# Installs the Debian packages the test suite uses as real peers and tools. Needs root.
# Idempotent; waits for the dpkg lock instead of failing when another apt runs.
set -euo pipefail
PKGS=(
  frr bird2 gobgpd exabgp tcpdump tshark   # BGP routers and captures
  ipvsadm iproute2 kmod                     # IPVS and network namespaces
  qemu-system-x86 busybox-static xz-utils   # the IPVS guest (lvs tests)
  etcd-server etcd-client openssl           # etcd pool source; TLS test certificates
  nginx-light wrk dnsmasq-base              # health-check servers and benchmark load
  chromium                                  # the status page in a real browser (playwright-core drives it)
  systemd                                   # systemd-analyze verify of conf/vipd.service
  build-essential python3                   # node-gyp builds the native addon (native/)
  dpkg-dev                                  # dpkg-shlibdeps for `npm run deb` (test/integration/deb-package.test.ts)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=300 -q -y --no-install-recommends)
apt-get "${APT_OPTS[@]:0:2}" update -q
apt-get "${APT_OPTS[@]}" install "${missing[@]}"
