// BFD and graceful restart both on (issue 14 §1 + §2), against FRR (bfdd) and BIRD (`protocol bfd`),
// each in a netns joined by a veth, vipd (`dist/cli/main.js run`, build first) in the root namespace:
// - planned restarts (SIGTERM, start again): each router's RIB polled every 20 ms never misses the
//   VIP and BFD comes back Up after each start (vipd sends AdminDown before the stop, RFC 5882 §3.2:
//   bfd-routers.test.ts checks it on the wire);
// - BIRD before 2.14 takes a peer's AdminDown as a failure and resets the session even while it holds
//   the routes for a graceful restart: without `bfd graceful` (RFC 5882 §4.3) the VIP leaves its RIB
//   at the first planned restart. This step proves why the router needs that line (docs/bfd.md).
import t, { type Test } from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createNetns, type Netns } from '../lab/netns.js';
import { startRouter, type Router } from '../lab/router.js';
import { routerBfdState } from '../lab/routers/bfd-state.js';
import { birdc } from '../lab/routers/bird.js';
import { waitFor } from '../lab/proc.js';
import { needTools } from '../lab/need-tools.js';
import { freePort, tempDir, Vipd, writeFile } from './e2e-helpers.js';
import { requireBfdNative } from '../support/bfd-native.js';
import { bfdConfig, peerViews } from './bfd-helpers.js';
import { plannedRestarts, RibWatch, waitSessionsUp } from './graceful-restart-helpers.js';

const RESTARTS = Number(process.env.BFD_GR_RESTARTS ?? 3);
const VIP = '10.2.9.1/32';
const INTERVAL = 100;
/** A start on the shared 2-core machine can take tens of seconds (Node loading under load). */
const UP_MS = 100_000;
const TOOLS = ['ip', '/usr/lib/frr/bgpd', '/usr/lib/frr/bfdd', '/usr/lib/frr/zebra', 'vtysh', 'bird', 'birdc'];

interface Lab { routers: Router[]; make: () => Vipd; all: Vipd[] }

/** FRR and BIRD in a netns each, BFD 100 ms x 3 and graceful restart helpers; vipd with both on. */
async function lab(t: Test, kinds: ('frr' | 'bird')[], birdGraceful?: boolean): Promise<Lab> {
  const nets: Netns[] = [];
  const routers: Router[] = [];
  for (const kind of kinds) {
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    nets.push(ns);
    const r = await startRouter({ kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name, gracefulRestart: true,
      bfd: { intervalMs: INTERVAL, multiplier: 3, ...(birdGraceful === undefined ? {} : { graceful: birdGraceful }) } });
    t.teardown(() => r.stop());
    routers.push(r);
  }
  const dir = tempDir(t);
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const port = await freePort('127.0.0.1');
  const conf = join(dir, 'vipd.conf');
  writeFile(conf, bfdConfig({ peers: nets.map((n) => ({ router: n.nsIp, speaker: n.hostIp })), apiIp: '127.0.0.1', apiPort: port,
    intervalMs: INTERVAL, vip: VIP, extra: ['bgp-graceful-restart = yes', 'bgp-graceful-restart-time = 120'] }));
  const all: Vipd[] = [];
  t.teardown(async () => { for (const v of all) await v.stop(); });
  t.teardown(() => { if (!t.passing()) t.comment([all.at(-1)?.tail(40) ?? '', ...routers.map((r) => r.log().slice(-3000))].join('\n')); });
  const make = (): Vipd => {
    const v = new Vipd(conf, `127.0.0.1:${port}`, ['-n', '--allow-empty', '--state-dir', stateDir]);
    all.push(v);
    return v;
  };
  return { routers, make, all };
}

/** Sessions up, End-of-RIB sent, the VIP in every RIB and BFD Up on both sides of every session. */
async function up(v: Vipd, routers: Router[]): Promise<void> {
  await waitSessionsUp(v, routers, UP_MS);
  for (const r of routers) await r.waitRib((rib) => rib.some((x) => x.prefix === VIP), 20_000);
  await waitFor('BFD Up on both sides', 20_000, async () => {
    const views = await peerViews(v).catch(() => []);
    const states = await Promise.all(routers.map((r) => routerBfdState(r)));
    return views.length === routers.length && views.every((p) => p.bfd?.state === 'Up') && states.every((s) => s === 'up');
  });
}

/** BIRD's version as [major, minor]. */
async function birdVersion(r: Router): Promise<[number, number]> {
  const m = /BIRD (\d+)\.(\d+)/.exec(await birdc(r.options, 'show', 'status'));
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
}

// one vipd per router: vipd has one bgp-nexthop-ipv4, on the link of one netns only
for (const kind of (process.env.BFD_ROUTERS?.split(',') ?? ['frr', 'bird']) as ('frr' | 'bird')[]) {
  t.test(`BFD + graceful restart: planned restarts never take the VIP out of ${kind}'s RIB`, async (t) => {
    if (!needTools(t, ...TOOLS) || !requireBfdNative(t)) return;
    const { routers, make, all } = await lab(t, [kind]);
    const router = routers[0]!;
    const first = make();
    await up(first, routers).catch((e: Error) => { throw new Error(`${e.message}\n${first.tail()}`); });
    const w = new RibWatch(router, VIP);
    t.teardown(() => w.stop()); // a failed step must not leave the poller running
    w.start();
    const { vipd, codes } = await plannedRestarts(first, make, routers, RESTARTS, async (_i, v) => up(v, routers), UP_MS);
    await w.stop();
    t.comment(w.summary());
    if (process.env.BFD_GR_DEBUG) t.comment(all.flatMap((v) => v.lines.filter((l) => /BFD|session|NOTIFICATION|graceful/.test(l.msg)).map((l) => `${l.ts} ${l.msg} ${String(l.peer ?? '')} ${String(l.diag ?? l.reason ?? '')}`)).join('\n'));
    t.equal(w.missing, 0, `${kind}: the VIP never missing across ${RESTARTS} planned restarts with BFD on`);
    t.ok(w.polls >= RESTARTS * 10, `${kind}: polled throughout (${w.polls} polls)`);
    t.same(codes, new Array(RESTARTS).fill(0), 'every planned stop exits 0');
    t.ok(vipd.lines.some((l) => /R bit set in the first OPENs/.test(l.msg)), 'each start after a planned stop is a restart (R bit)');
    if (kind === 'bird') t.match(router.log(), /graceful restart/i, 'BIRD held the routes as a graceful restart helper');
  });
}

t.test('BIRD before 2.14 without `bfd graceful`: a planned restart with BFD on loses the VIP (why the router needs it)', async (t) => {
  if (!needTools(t, ...TOOLS) || !requireBfdNative(t)) return;
  const { routers, make } = await lab(t, ['bird'], false);
  const [major, minor] = await birdVersion(routers[0]!);
  const first = make();
  await up(first, routers);
  const w = new RibWatch(routers[0]!, VIP);
  t.teardown(() => w.stop());
  w.start();
  await plannedRestarts(first, make, routers, 1, async (_i, v) => up(v, routers), UP_MS);
  await w.stop();
  t.comment(w.summary());
  if (major > 2 || (major === 2 && minor >= 14)) t.equal(w.missing, 0, `BIRD ${major}.${minor} takes AdminDown as RFC 5882 §3.2 says: the VIP stays`);
  else t.ok(w.missing > 0, `BIRD ${major}.${minor}: the VIP went missing in ${w.missing} polls: BFD going down (AdminDown) ended BIRD's graceful restart`);
});
