import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { Refusal, RetryLoop } from './retry-loop.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A loop whose sessions fail with the errors given, one per session; the times sessions started. */
function rig(errors: Array<Error | 'up' | 'up, then lost'>) {
  const clock = new FakeClock();
  const started: number[] = [];
  const failures: string[] = [];
  let loop: RetryLoop;
  const session = async (signal: AbortSignal): Promise<void> => {
    started.push(clock.now());
    const e = errors.shift();
    if (e instanceof Error) throw e;
    if (e === 'up' || e === 'up, then lost') loop.connected();
    if (e === 'up, then lost') throw new Error('lost');
    // Up (or out of scripted errors): runs until stopped.
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  };
  loop = new RetryLoop({ clock, backoffMinMs: 100, backoffMaxMs: 1000 }, session, (e) => { failures.push(e.message); });
  const advance = async (ms: number) => { for (let i = 0; i < ms / 50; i++) { clock.advance(50); await tick(); } };
  return { clock, loop, started, failures, advance };
}

t.test('failures back off doubling from min to max; a refusal waits the longest', async (t) => {
  const r = rig([new Error('a'), new Error('b'), new Refusal('over the limit'), new Error('c')]);
  r.loop.start();
  await tick();
  await r.advance(3000);
  t.same(r.failures, ['a', 'b', 'over the limit', 'c']);
  t.same(r.started, [0, 100, 300, 1300, 2100], 'waits 100, 200, then 1000 (max) after the refusal, then 800 (the doubling goes on)');
  await r.loop.stop();
});

t.test('a session that came up resets the back-off; stop() ends the session and the loop', async (t) => {
  const r = rig([new Error('a'), new Error('b'), 'up, then lost', 'up']);
  r.loop.start();
  await tick();
  await r.advance(600);
  t.same(r.started, [0, 100, 300, 400], 'after a session that was up, the shortest wait again (not 400)');
  t.same(r.failures, ['a', 'b', 'lost']);
  await r.loop.stop();
  await r.advance(2000);
  t.equal(r.started.length, 4, 'nothing after stop');
  t.same(r.failures, ['a', 'b', 'lost'], 'the end at stop is no failure');
});
