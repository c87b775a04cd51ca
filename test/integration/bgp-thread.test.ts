import t from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { sleep, waitFor } from '../lab/proc.js';
import { bgpGlobal, freePort, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 14 §2 (and the BIRD flaps of benchmark (f)): BGP session liveness must not depend on how
// busy vipd's main thread is. vipd's main thread is blocked on purpose (test hook, SIGUSR2 with
// VIPD_TEST_BLOCK_LOOP_MS) for twice the hold time negotiated with a real FRR and a real BIRD; the
// speaker runs in a thread of its own (src/cli/run/bgp-thread.ts), so its KEEPALIVEs keep going and
// neither router's session drops. With the speaker on the main thread (VIPD_BGP_THREAD=0) both
// routers' hold timers expire and this test fails. Needs `npx tsc -p tsconfig.build.json`.
const HOLD_S = 3;
const BLOCK_MS = 2 * HOLD_S * 1000;

type Peer = { peer: string; state: string; establishedSince: number | null; lastDownReason: string | null };

t.test('a blocked main thread does not end the BGP sessions (FRR, BIRD)', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, ...ROUTER_BINARIES.bird)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const frr = await startRouter({ kind: 'frr', routerIp: lo.router(50), speakerIp: lo.speaker, passive: true, holdTime: HOLD_S });
  t.teardown(() => frr.stop());
  const bird = await startRouter({ kind: 'bird', routerIp: lo.router(51), speakerIp: lo.speaker, passive: true, holdTime: HOLD_S });
  t.teardown(() => bird.stop());
  const { port } = await singleBackend(t, lo.router(52), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfgFile = join(dir, 'vipd.conf');
  writeFile(cfgFile, bgpGlobal({ routers: [frr.ip, bird.ip], speaker: lo.speaker, apiPort }).replace('bgp-hold-time = 30', `bgp-hold-time = ${HOLD_S}`)
    + webService(port, join(dir, 'web.pools'), ['monitors = [ "IdleConnection" ]']));

  process.env.VIPD_TEST_BLOCK_LOOP_MS = String(BLOCK_MS); // the child inherits it
  const vipd = new Vipd(cfgFile, `${lo.speaker}:${apiPort}`);
  delete process.env.VIPD_TEST_BLOCK_LOOP_MS;
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(60)); });
  await vipd.waitApi(60_000);
  for (const r of [frr, bird]) await r.waitEstablished(30_000);
  const peers = async (): Promise<Peer[]> => ((await vipd.get('/bgp')).body as { peers: Peer[] }).peers;
  await waitFor('both sessions Established in /bgp', 10_000, async () => (await peers()).every((p) => p.state === 'Established') || undefined, 200);
  const before = await peers();
  const from = vipd.lines.length;

  vipd.signal('SIGUSR2');
  // Poll the routers through the block and a hold time past it: any expiry shows as a gap
  const gaps: string[] = [];
  const end = performance.now() + BLOCK_MS + HOLD_S * 1000;
  for (let i = 0; i < 200 && performance.now() < end; i++) {
    for (const r of [frr, bird]) if (!(await r.established())) gaps.push(`${r.kind} not Established at +${(BLOCK_MS + HOLD_S * 1000 - (end - performance.now())).toFixed(0)} ms`);
    await sleep(200);
  }
  const freed = await vipd.waitLog((l) => l.msg === 'test hook: main thread free again', 10_000, 'the main thread blocked and free again', from);
  t.ok(Number(freed.blockedMs) >= BLOCK_MS * 0.95, `the main thread was blocked for ${String(freed.blockedMs)} ms`);

  t.same(gaps, [], `both routers kept the session through ${BLOCK_MS} ms of blocked main thread (hold time ${HOLD_S} s)`);
  await sleep(1500); // the API's copy of the status is refreshed at most every second
  const after = await peers();
  for (const p of after) {
    t.equal(p.state, 'Established', `${p.peer}: Established`);
    const was = before.find((b) => b.peer === p.peer)?.establishedSince ?? NaN;
    t.ok(Math.abs((p.establishedSince ?? Infinity) - was) < 1000, `${p.peer}: the same session as before (last down: ${String(p.lastDownReason)})`);
  }
  t.notOk(vipd.lines.slice(from).some((l) => l.msg === 'session down'), 'no session down in the log');
});
