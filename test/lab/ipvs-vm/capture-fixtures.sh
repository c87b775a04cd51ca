#!/usr/bin/env bash
# Runs INSIDE the guest: builds a varied IPVS table (IPv4/IPv6, tcp/udp/fwmark, schedulers with
# flags, persistence, ops, every forwarding method, weight 0, thresholds), sends real TCP traffic
# through one service, and stores what ipvsadm prints in $1 (test/fixtures/ipvsadm).
# From the host:  VIPD_IPVS_VM_RW=test/fixtures/ipvsadm test/lab/ipvs-vm/run.sh \
#                   bash test/lab/ipvs-vm/capture-fixtures.sh test/fixtures/ipvsadm
set -euo pipefail
out=$1
modprobe ip_vs
ipvsadm -Sn > "$out/empty.sn.txt"
a() { ipvsadm "$@"; }
a -A -t 10.255.0.1:80 -s wlc
a -a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 10
a -a -t 10.255.0.1:80 -r 10.255.0.3:80 -g -w 0
a -a -t 10.255.0.1:80 -r 10.255.0.4:8080 -m -w 3 -x 100 -y 50
a -A -t 10.255.0.1:443 -s rr -p 300
a -a -t 10.255.0.1:443 -r 10.255.0.5 -i -w 1
a -A -u 10.255.0.1:53 -s sh -b sh-port -o
a -a -u 10.255.0.1:53 -r 10.255.0.2:53 -g -w 5
a -A -t 10.255.0.7:80 -s mh -b mh-port,mh-fallback
a -A -u 10.255.0.8:5060 -s rr -p 60 --pe sip
a -a -u 10.255.0.8:5060 -r 10.255.0.2:5060 -m -w 1
a -A -t [fd00:255::1]:80 -s wrr -p 60 -M 64
a -a -t [fd00:255::1]:80 -r [fd00:255::10]:80 -g -w 2
a -a -t [fd00:255::1]:80 -r [fd00:255::11]:8080 -m -w 0
a -A -f 42 -s lc
a -a -f 42 -r 10.255.0.20 -g -w 1
a -A -f 43 -6 -s dh
a -a -f 43 -6 -r [fd00:255::20]:0 -g -w 4
# real traffic: VIP on lo, a local HTTP server as the realserver, 20 requests
ip addr add 10.255.0.9/32 dev lo
a -A -t 10.255.0.9:80 -s rr
a -a -t 10.255.0.9:80 -r 10.255.0.9:80 -g -w 1
node -e '
const http = require("node:http");
const srv = http.createServer((q, s) => s.end("x".repeat(100000))).listen(80, "10.255.0.9", async () => {
  for (let i = 0; i < 20; i++) await new Promise((ok, ko) => http.get("http://10.255.0.9/", (r) => { r.resume(); r.on("end", ok); }).on("error", ko));
  srv.close();
});'
sleep 2.5   # the kernel folds per-cpu counters into the totals every 2 s
ipvsadm -Sn > "$out/table.sn.txt"
ipvsadm -Ln > "$out/table.ln.txt"
ipvsadm -Ln --stats --exact > "$out/table.stats.txt"
ipvsadm -Ln --rate --exact > "$out/table.rate.txt"
ipvsadm -Ln --thresholds --exact > "$out/table.thresholds.txt"
ipvsadm -Ln --stats > "$out/table.stats-inexact.txt"
echo "captured into $out"
