import t from 'tap';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter, type RibRoute, type RouterKind } from '../lab/router.js';
import { startCapture } from '../lab/capture.js';
import { sh, sleep, waitFor } from '../lab/proc.js';
import { captureTimeline, describe } from './capture-timeline.js';
import { labPeer, startSpeaker, vip } from './speaker-helpers.js';

// Issue 3 §4 against each real router: it restarts (we reconnect and re-announce), it asks for a
// ROUTE-REFRESH (we re-send, its RIB is unchanged), and our graceful shutdown reaches the wire:
// withdraw UPDATE, then NOTIFICATION 6/2 with our text, before our FIN; the router logs the text.
// VIPD_CAPTURE_DIR=test/fixtures/pcaps/speaker keeps the captures (the replay test reads them).
const MESSAGE = 'vipd test: lvs1001 going down for maintenance';
const kinds: RouterKind[] = (process.env.VIPD_ROUTERS?.split(',') as RouterKind[] | undefined) ?? ['bird', 'gobgp', 'frr'];
t.jobs = 3; // the routers run side by side (own addresses, dirs, namespaces)
const table = (rib: RibRoute[]) => rib.map((r) => `${r.prefix} ${r.med}`).sort();

for (const kind of kinds) {
  t.test(`${kind}: restart, route refresh, graceful shutdown on the wire`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind], 'tcpdump')) return;
    const lo = loopbackBlock();
    const dir = mkdtempSync(join(tmpdir(), 'vipd-speaker-cap-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, `${kind}-lifecycle.pcap`);
    const cap = await startCapture({ iface: 'lo', filter: `tcp port 179 and host ${lo.router(0)}`, file });
    t.teardown(() => cap.stop());
    const router = await startRouter({ kind, routerIp: lo.router(0), speakerIp: lo.speaker, v6: true, holdTime: 9, passive: true });
    t.teardown(() => router.stop());
    const sp = await startSpeaker(labPeer(lo.router(0), lo.speaker, { holdTime: 9 }), [vip('10.2.1.1/32'), vip('10.2.1.2/32'), vip('2620:0:860:1::10/128')]);
    t.teardown(() => sp.stop());
    await sp.waitEvent((e) => e.event === 'established', 15_000, 'Established');
    const before = table(await router.waitRib((r) => r.length === 3, 10_000));
    t.same(before, ['10.2.1.1/32 110', '10.2.1.2/32 110', '2620:0:860:1::10/128 110']);

    await router.routeRefresh();
    if (kind !== 'gobgp') {
      await sp.waitEvent((e) => e.event === 'route-refresh', 5_000, 'ROUTE-REFRESH from the router');
      t.pass(`${kind} sent ROUTE-REFRESH and we answered`);
    }
    await sleep(kind === 'frr' ? 300 : 100);
    t.same(table(await router.rib()), before, 'RIB unchanged after the refresh');

    await router.restart();
    await waitFor('re-established after the router restart', 15_000, async () =>
      sp.events.filter((e) => e.event === 'established').length >= 2);
    t.ok(sp.events.some((e) => e.event === 'down'), 'we saw the session go down');
    t.same(table(await router.waitRib((r) => r.length === 3, 10_000)), before, 're-announced after the restart');
    // FRR's "traditional" defaults do not log neighbor changes; turn it on so the NOTIFICATION is logged.
    if (kind === 'frr') {
      await sh('vtysh', ['--vty_socket', router.dir, '-d', 'bgpd', '-c', 'configure terminal', '-c', `router bgp ${router.options.routerAs}`, '-c', 'bgp log-neighbor-changes']);
    }

    await sp.stop(MESSAGE);
    await cap.stop();
    if (process.env.VIPD_CAPTURE_DIR) {
      mkdirSync(process.env.VIPD_CAPTURE_DIR, { recursive: true });
      copyFileSync(file, join(process.env.VIPD_CAPTURE_DIR, `vipd-${kind}-lifecycle.pcap`));
    }
    const wire = captureTimeline(file, lo.speaker);
    const lastOpen = wire.map((e) => e.kind === 'OPEN' && e.fromSpeaker).lastIndexOf(true);
    const ending = wire.slice(lastOpen).filter((e) => e.fromSpeaker && e.kind !== 'KEEPALIVE').map(describe);
    const tail = ending.slice(ending.findIndex((d) => d.includes('withdraw')));
    const iw = tail.indexOf('> UPDATE-withdraw');
    const inote = tail.indexOf('> NOTIFICATION 6/2');
    const ifin = tail.indexOf('> FIN');
    t.ok(iw === 0 && inote > iw && ifin > inote, `withdraw, then NOTIFICATION 6/2, then FIN: ${tail.join(', ')}`);
    const note = wire.find((e) => e.fromSpeaker && e.message?.type === 'NOTIFICATION');
    t.ok(note?.message?.type === 'NOTIFICATION' && new TextDecoder().decode(note.message.data.subarray(1)) === MESSAGE, 'our RFC 9003 text on the wire');
    await waitFor(`${kind} logs our shutdown message`, 5_000, async () => router.log().includes(MESSAGE));
    t.pass(`${kind} logged "${MESSAGE}"`);
  });
}
