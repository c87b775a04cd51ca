// BFD against real routers (issue 14 §2): FRR (zebra + bfdd + bgpd) and BIRD (`protocol bfd`), each
// in a netns joined by a veth, vipd (`dist/cli/main.js run`, build first) in the root namespace.
// - the sessions come Up at 100 ms x 3, and /bgp shows it;
// - the router's BFD stopped (FRR: bfdd frozen; BIRD: bird frozen, its TCP still up) -> vipd ends
//   the BGP session with Cease 10 (RFC 9384) long before the 30 s hold time;
// - a stop (SIGTERM) sends Cease, then AdminDown: the router sees its peer AdminDown (RFC 5882 §3.2);
// - vipd frozen (SIGSTOP) -> the router's BFD goes down and the VIP leaves its RIB within about
//   multiplier x interval (asserted <= 1 s here; bench/failover-bfd.ts measures it).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns } from '../lab/netns.js';
import { startRouter, type Router } from '../lab/router.js';
import { routerBfdState, frrBfdPeer } from '../lab/routers/bfd-state.js';
import { waitFor } from '../lab/proc.js';
import { needTools } from '../lab/need-tools.js';
import { freePort, tempDir, Vipd, writeFile } from './e2e-helpers.js';
import { requireBfdNative } from '../support/bfd-native.js';
import { bfdConfig, peerViews, type PeerView } from './bfd-helpers.js';
import { startCapture } from '../lab/capture.js';
import { execFileSync } from 'node:child_process';

const VIP = '10.2.9.1/32';
const INTERVAL = 100;

async function peerView(v: Vipd): Promise<PeerView | undefined> {
  return (await peerViews(v))[0];
}

const TOOLS: Record<'frr' | 'bird', string[]> = { frr: ['/usr/lib/frr/bgpd', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'vtysh'], bird: ['bird', 'birdc'] };
const COMMON_TOOLS = ['ip', 'tcpdump', 'tshark'];

for (const kind of (process.env.BFD_ROUTERS?.split(',') ?? ['frr', 'bird']) as ('frr' | 'bird')[]) {
  t.test(`BFD with ${kind}`, async (t) => {
    if (!needTools(t, ...COMMON_TOOLS, ...TOOLS[kind]) || !requireBfdNative(t)) return;
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    const router: Router = await startRouter({ kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name, bfd: { intervalMs: INTERVAL, multiplier: 3 } });
    t.teardown(() => router.stop());
    const dir = tempDir(t);
    const conf = join(dir, 'pybal.conf');
    const up = async (v: Vipd) => {
      await v.waitApi(15_000);
      await router.waitRib((r) => r.some((x) => x.prefix === VIP), 20_000);
      await waitFor('BFD Up on both sides', 15_000, async () => (await peerView(v))?.bfd?.state === 'Up' && (await routerBfdState(router)) === 'up');
    };

    await t.test('Up; the router BFD stopped -> Cease 10; stop -> Cease, then AdminDown', async (t) => {
      const port = await freePort(ns.hostIp);
      writeFile(conf, bfdConfig({ peers: [{ router: ns.nsIp, speaker: ns.hostIp }], apiIp: ns.hostIp, apiPort: port, intervalMs: INTERVAL, vip: VIP }));
      const v = new Vipd(conf, `${ns.hostIp}:${port}`, ['-n', '--allow-empty']);
      t.teardown(() => v.stop());
      await up(v).catch((e: Error) => { throw new Error(`${e.message}\n${v.tail()}\n${router.log().slice(-3000)}`); });
      t.pass('BFD Up at 100 ms x 3, VIP in the RIB');

      // the router's BFD stops sending; its BGP session stays up (TCP alive, hold time 30 s)
      const pid = kind === 'frr' ? Number(readFileSync(join(router.dir, 'bfdd.pid'), 'utf8').trim()) : Number(readFileSync(join(router.dir, 'bird.pid'), 'utf8').trim());
      const t0 = performance.now();
      process.kill(pid, 'SIGSTOP');
      let view: PeerView | undefined;
      try {
        view = await waitFor('vipd ends the BGP session', 5000, async () => {
          const p = await peerView(v);
          return p?.lastNotificationSent?.code === 6 && p.lastNotificationSent.subcode === 10 ? p : undefined;
        }, 10);
      } finally { process.kill(pid, 'SIGCONT'); }
      const ms = performance.now() - t0;
      t.ok(ms < 2000, `Cease 10 sent ${ms.toFixed(0)} ms after the router's BFD stopped (hold time 30 s)`);
      t.match(view?.lastDownReason, /BFD down: Control Detection Time Expired/);
      t.ok((view?.bfd?.flaps ?? 0) >= 1, 'counted as a BFD flap');
      // /metrics renders from the API worker's copy, a reading behind the /bgp view at most
      const flaps = /vipd_bfd_session_flaps_total\{peer="[^"]+"\} [1-9]/;
      const metrics = await waitFor('the flap on /metrics', 5000, async () => {
        const body = (await v.get('/metrics', false)).body as string;
        return flaps.test(body) ? body : undefined;
      }, 100).catch((e: Error) => e.message);
      t.match(metrics, flaps);

      await up(v);
      t.pass('back Up after the router resumed');
      const cap = await startCapture({ iface: ns.hostIf, filter: 'udp port 3784 or tcp port 179', file: join(dir, 'stop.pcap') });
      v.signal('SIGTERM');
      t.equal(await v.exited, 0);
      await new Promise((r) => setTimeout(r, 200));
      await cap.stop();
      // on the wire: vipd's Cease 6/2 first (the routers act on AdminDown: FRR 8.4 with a Hard Reset, BIRD
      // 2.0 with a reset), then BFD AdminDown (state 0, diag 7) once the session is closed (stop-bgp.ts)
      const rows = execFileSync('tshark', ['-r', cap.file, '-d', 'tcp.port==179,bgp', '-Y', 'bfd.sta == 0 || bgp.type == 3',
        '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'bfd.sta', '-e', 'bfd.diag', '-e', 'bgp.type', '-e', 'ip.src'], { encoding: 'utf8' })
        .trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
      const adminDown = rows.findIndex((r) => r[1] !== '' && Number(r[1]) === 0 && Number(r[2]) === 7 && r[4] === ns.hostIp);
      const notification = rows.findIndex((r) => r[3]?.split(',').includes('3'));
      t.ok(notification >= 0 && rows[notification]![4] === ns.hostIp, 'the first NOTIFICATION is vipd\'s (the router did not reset the session on BFD)', { rows, log: v.tail(12) });
      t.ok(adminDown > notification, `AdminDown (row ${adminDown}) after vipd's NOTIFICATION (row ${notification})`, { rows });
      if (kind === 'frr') {
        const seen = JSON.stringify(await frrBfdPeer(router));
        t.match(seen, /"remote-diagnostic":"administratively down"/, 'FRR bfdd recorded the peer\'s AdminDown (RFC 5882 §3.2)');
      }
    });

    await t.test('IPv6: BFD Up over the session\'s IPv6 addresses', async (t) => {
      const ns6 = await createNetns();
      t.teardown(() => ns6.destroy());
      const r6 = await startRouter({ kind, routerIp: ns6.nsIp6, speakerIp: ns6.hostIp6, netns: ns6.name, v6: true, bfd: { intervalMs: INTERVAL, multiplier: 3 } });
      t.teardown(() => r6.stop());
      const port = await freePort(ns.hostIp);
      writeFile(conf, bfdConfig({ peers: [{ router: ns6.nsIp6, speaker: ns6.hostIp6 }], apiIp: ns.hostIp, apiPort: port, intervalMs: INTERVAL,
        extra: ['bgp-router-id = 10.255.255.1'] }));
      const v = new Vipd(conf, `${ns.hostIp}:${port}`, ['-n', '--allow-empty']);
      t.teardown(() => v.stop());
      await v.waitApi(15_000).then(() => waitFor('IPv6 BFD Up on both sides', 20_000, async () => (await peerView(v))?.bfd?.state === 'Up' && (await routerBfdState(r6)) === 'up'))
        .catch((e: Error) => { throw new Error(`${e.message}\n${v.tail()}\n${r6.log().slice(-2000)}`); });
      t.pass(`${kind}: BFD Up with ${ns6.nsIp6}`);
    });

    await t.test('vipd frozen: the VIP leaves the router\'s RIB within about multiplier x interval', async (t) => {
      const port = await freePort(ns.hostIp);
      writeFile(conf, bfdConfig({ peers: [{ router: ns.nsIp, speaker: ns.hostIp }], apiIp: ns.hostIp, apiPort: port, intervalMs: INTERVAL, vip: VIP }));
      const v = new Vipd(conf, `${ns.hostIp}:${port}`, ['-n', '--allow-empty']);
      t.teardown(async () => { v.signal('SIGCONT'); await v.stop(); });
      await up(v);
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      v.signal('SIGSTOP');
      await router.waitRib((r) => !r.some((x) => x.prefix === VIP), 5000);
      const ms = performance.now() - t0;
      t.ok(ms <= 1000, `VIP gone from ${kind}'s RIB ${ms.toFixed(0)} ms after vipd froze (3 x ${INTERVAL} ms; hold time 30 s)`);
      v.signal('SIGKILL');
    });
  });
}
