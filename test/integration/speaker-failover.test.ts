import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { startBirdTwoSpeakers, type TwoSpeakerBird } from '../lab/bird-two-speakers.js';
import { waitFor } from '../lab/proc.js';
import { labPeer, startSpeaker, vip } from './speaker-helpers.js';

// Issue 3 §4: two balancers announce the same VIP with MED 100 and MED 200 to a real BIRD. The router
// prefers the first; a graceful stop of the first moves the best path within 1 s; kill -9 moves it
// too (the kernel closes the socket, so without waiting for the hold time); a hung first speaker
// (SIGSTOP: socket open, no keepalives) moves it once the hold time expires.
const HOLD = 3;
const VIP = '10.2.1.1/32';

function speakA(routerIp: string, localIp: string): ChildProcess {
  const child = spawn('node', ['dist/cli/main.js', 'speak', '--local-as', '64600', '--peer', routerIp, '--peer-as', '64601',
    '--local-address', localIp, '--hold', String(HOLD), '--next-hop', '192.0.2.10', '--announce', VIP, '--med', '100',
    '--message', 'balancer A leaving'], { stdio: 'ignore' });
  return child;
}

const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));

async function timeUntilBest(bird: TwoSpeakerBird, who: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await waitFor(`best path via ${who}`, timeoutMs, async () => (await bird.best(VIP)) === who, 10);
  return Date.now() - t0;
}

t.test('MED failover between two speakers on BIRD: graceful stop, kill -9, hung process', async (t) => {
  if (!needTools(t, 'bird', 'birdc')) return;
  const lo = loopbackBlock();
  const [routerIp, aIp, bIp] = [lo.router(0), lo.speaker, lo.router(5)];
  const bird = await startBirdTwoSpeakers({ routerIp, speakerA: aIp, speakerB: bIp, holdTime: HOLD });
  t.teardown(() => bird.stop());
  const b = await startSpeaker(labPeer(routerIp, bIp, { holdTime: HOLD }), [vip(VIP, 200)]);
  t.teardown(() => b.stop());
  const children: ChildProcess[] = [];
  t.teardown(async () => { for (const c of children) { c.kill('SIGKILL'); await exited(c); } });
  const startA = (): ChildProcess => { const c = speakA(routerIp, aIp); children.push(c); return c; };

  let a = startA();
  await timeUntilBest(bird, aIp, 15_000);
  t.pass('MED 100 (A) preferred over MED 200 (B)');
  a.kill('SIGTERM');
  const graceful = await timeUntilBest(bird, bIp, 5_000);
  t.ok(graceful < 1000, `graceful stop moved the best path in ${graceful} ms (< 1 s)`);
  await exited(a);
  t.equal(a.exitCode, 0, 'vipd speak exited 0');

  a = startA();
  await timeUntilBest(bird, aIp, 15_000);
  a.kill('SIGKILL');
  const killed = await timeUntilBest(bird, bIp, (HOLD + 2) * 1000);
  t.ok(killed <= HOLD * 1000 + 500, `kill -9 moved the best path in ${killed} ms (kernel FIN; at most the hold time)`);
  await exited(a);

  a = startA();
  await timeUntilBest(bird, aIp, 15_000);
  a.kill('SIGSTOP');
  const hung = await timeUntilBest(bird, bIp, (HOLD + 3) * 1000);
  // The hold timer runs from A's last KEEPALIVE (sent up to one keepalive interval, 1 s, before SIGSTOP).
  t.ok(hung >= (HOLD - 1) * 1000 - 300 && hung <= (HOLD + 1) * 1000 + 500, `a hung speaker lost the best path after ${hung} ms (hold time ${HOLD} s)`);
  a.kill('SIGKILL');
  a.kill('SIGCONT');
  await exited(a);
});
