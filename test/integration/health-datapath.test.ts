// Checks through the data path (issue 16 §3, src/health/datapath) against realservers in network
// namespaces on the host kernel, before any client traffic: `tcp.via-vip = yes` marks a
// direct-routing realserver down when the VIP is not on its loopback, up when it is, down with
// "refused" when nothing listens; the plain TCP check calls all of them up, which is the seed's
// black hole. IPIP: a realserver without a tunnel is down (the host kernel has no ipip module;
// the tunnelled "up" case runs in the QEMU guest, test/lab/ipvs-vm/guest-datapath.ts).
import t from 'tap';
import { checkWithTimeout, createMonitor, type Monitor, type Target } from '../../src/health/index.js';
import { nativeAddon, nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { createRealserver, type Realserver } from '../lab/realserver-netns.js';
import { sh } from '../lab/proc.js';
import { compileForGuest, repoRoot } from '../lab/ipvs-vm/guest.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/time/clock.js';
import { inCI, requireTool } from '../support/require-tool.js';

const PORT = 8080;
// A VIP of 10.255.0.0/16 outside netns.ts's /30s (those stop at 10.255.255.x only for slot ≥ 16320).
const VIP = `10.255.254.${20 + (process.pid % 200)}`;

const addon = nativeAddon();
if (!addon?.dpStart) {
  const why = nativeAddonUnavailable() || 'the addon was built without datapath.c (npm run build:native)';
  if (inCI()) t.fail(`CI=true and the data-path probe is unavailable: ${why}`);
  else { process.stderr.write(`\n!!! SKIPPING: ${why}\n\n`); t.skip(`SKIPPED: ${why}`, () => {}); }
} else if (requireTool(t, 'ip') && requireTool(t, 'ss')) {
  const servers: Realserver[] = [];
  t.teardown(async () => {
    for (const s of servers) await s.destroy();
    await sh('ip', ['route', 'del', 'blackhole', `${VIP}/32`]).catch(() => undefined);
  });
  // A director has the VIP locally, so the kernel drops the realserver's reply as martian after our
  // packet socket has seen it. Here the blackhole route keeps the kernel's RST to that reply (and
  // anything else for the VIP) off the real network.
  await sh('ip', ['route', 'add', 'blackhole', `${VIP}/32`]);

  const monitor = (forwarding: 'dr' | 'tun' | 'nat', viaVip: boolean, timeout = 1): Monitor => {
    const m = createMonitor('TCP', { timeout, 'via-vip': viaVip ? 'yes' : 'no' }, { service: { vip: VIP, forwarding } });
    if (!m.ok) throw new Error(m.error);
    return m.value;
  };
  const check = (m: Monitor, rs: Realserver, port = PORT) => {
    const target: Target = { host: `rs-${rs.net.name}`, ip: rs.ip, port };
    return checkWithTimeout(m, target, systemClock);
  };

  const withVip = await createRealserver({ vip: VIP, vipOn: 'lo', port: PORT });
  servers.push(withVip);
  const withoutVip = await createRealserver({ vip: VIP, vipOn: 'none', port: PORT });
  servers.push(withoutVip);

  await t.test('the plain TCP check cannot tell them apart: both up on their own address', async (t) => {
    for (const rs of [withVip, withoutVip]) t.equal((await check(monitor('dr', false), rs)).up, true, rs.net.name);
  });

  await t.test('direct routing: up with the VIP on lo, the SYN-ACK coming from the VIP', async (t) => {
    const r = await check(monitor('dr', true), withVip);
    t.equal(r.up, true, r.reason);
    t.match(r.reason, `SYN-ACK from ${VIP}:${PORT} through server rs-${withVip.net.name} (${withVip.ip}) by direct routing`);
  });

  await t.test('direct routing: down without the VIP on lo, the reason naming the option, server and VIP', async (t) => {
    const r = await check(monitor('dr', true), withoutVip);
    t.equal(r.up, false);
    t.match(r.reason, `tcp.via-vip: no reply from ${VIP}:${PORT} through server rs-${withoutVip.net.name} (${withoutVip.ip}) by direct routing`);
    t.match(r.reason, "is the VIP configured on the server's loopback?");
  });

  await t.test('direct routing: down with "refused" when the VIP is there but nothing listens on the port', async (t) => {
    const r = await check(monitor('dr', true), withVip, PORT + 1);
    t.equal(r.up, false);
    t.match(r.reason, `tcp.via-vip: connection refused (RST) by ${VIP}:${PORT + 1}`);
  });

  await t.test('repeated checks stay right (each its own port and socket, no leftovers)', async (t) => {
    // 20 at once on a CI machine running other suites: 3 s each (one reply came after 900 ms once)
    const m = monitor('dr', true, 3);
    const rs = await Promise.all(Array.from({ length: 20 }, () => check(m, withVip)));
    t.same(rs.map((r) => r.up), rs.map(() => true), rs.find((r) => !r.up)?.reason ?? 'all up');
  });

  await t.test('IPIP: a realserver without a tunnel does not answer the tunnelled SYN: down', async (t) => {
    const r = await check(monitor('tun', true), withVip);
    t.equal(r.up, false);
    t.match(r.reason, `tcp.via-vip: no reply from ${VIP}:${PORT} through server rs-${withVip.net.name} (${withVip.ip}) by IPIP`);
  });

  await t.test('a realserver that has no MAC (not on a connected network) fails with the reason, never a plain check', async (t) => {
    // Routed through a realserver's namespace, so nothing (not even the ARP nudge) leaves the host.
    const far = `10.255.253.${20 + (process.pid % 200)}`;
    await sh('ip', ['route', 'add', `${far}/32`, 'via', withoutVip.ip]);
    t.teardown(() => sh('ip', ['route', 'del', `${far}/32`]).catch(() => undefined));
    const r = await checkWithTimeout(monitor('dr', true), { host: 'far', ip: far, port: PORT }, systemClock);
    t.equal(r.up, false);
    t.match(r.reason, `tcp.via-vip: cannot check server far (${far}) by direct routing: no MAC address for ${far}`);
  });

  await t.test('without CAP_NET_RAW at run time: no verdict (never down), the reason naming the option, the server and the capability', async (t) => {
    if (!requireTool(t, 'capsh')) return;
    const out = join(repoRoot, 'build', `datapath-nocap-${process.pid}`);
    t.teardown(() => rmSync(out, { recursive: true, force: true }));
    const entry = compileForGuest('test/lab/datapath-check-once.ts', out, ['health', 'health/catalogue', 'health/monitors', 'health/datapath', 'time', 'process', 'log']);
    for (const forwarding of ['dr', 'tun']) {
      const line = await sh('capsh', ['--drop=cap_net_raw', '--', '-c', `exec ${process.execPath} ${entry} ${VIP} ${forwarding} rs-a ${withVip.ip} ${PORT}`], 20_000);
      const r = JSON.parse(line) as { up: boolean; reason: string; noVerdict?: boolean };
      t.equal(r.noVerdict, true, `${forwarding}: no verdict (the runner keeps the server's state; health-adapter-noverdict.test.ts)`);
      t.match(r.reason, `tcp.via-vip: cannot send to ${VIP}:${PORT} through server rs-a (${withVip.ip}) by ${forwarding === 'dr' ? 'direct routing' : 'IPIP'}: permission denied (errno 1): needs CAP_NET_RAW`);
    }
  });

  await t.test('config: NAT services and IPv6 VIPs are refused, naming the option', async (t) => {
    const nat = createMonitor('TCP', { 'via-vip': 'yes' }, { service: { vip: VIP, forwarding: 'nat' } });
    t.match(nat.ok ? '' : nat.error, 'tcp.via-vip: the service forwards by NAT');
    const v6 = createMonitor('TCP', { 'via-vip': 'yes' }, { service: { vip: 'fd00:255::1', forwarding: 'dr' } });
    t.match(v6.ok ? '' : v6.error, 'tcp.via-vip: only IPv4 VIPs are supported');
    const none = createMonitor('TCP', { 'via-vip': 'yes' });
    t.match(none.ok ? '' : none.error, "tcp.via-vip: needs the service's VIP");
  });
}
