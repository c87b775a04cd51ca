import t from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { bgpGlobal, freePort, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 7 §6 (c) end to end: IdleConnection with a 30 s interval; the lost connection reaches
// BIRD's RIB without any tick (the bounded waits are far below the interval).

const VIP = '10.2.1.1/32';

t.test('IdleConnection: a killed backend leaves BIRD\'s RIB at once, not at the 30 s interval', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'bird', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => router.stop());
  const { backend, port } = await singleBackend(t, lo.router(10), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: [router.ip], speaker: lo.speaker, apiPort })}
${webService(port, `${dir}/web.pools`, ['monitors = [ "IdleConnection" ]', 'idleconnection.interval = 30', 'idleconnection.timeout = 2'])}`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await router.waitRib((rib) => rib.some((x) => x.prefix === VIP), 15_000);
  t.pass('announced once connected (the first result is pushed too)');

  const from = vipd.lines.length;
  await backend.kill();
  await router.waitRib((rib) => !rib.some((x) => x.prefix === VIP), 3000);
  t.pass('withdrawn within 3 s of the kill, with a 30 s check interval');
  const down = await vipd.waitLog((l) => /server down/.test(l.msg) && /uncleanly/.test(JSON.stringify(l)), 1000, 'server down log', from);
  t.match(JSON.stringify(down), /uncleanly/, 'an RST is down at once, without the clean-close reconnect');
  const downLines = vipd.lines.slice(from).filter((l) => /^server down/.test(l.msg) && l.level !== 'debug');
  t.equal(downLines.length, 1, `the down is logged once (${downLines.map((l) => `${l.level} ${l.msg}`).join(' | ')})`);
});
