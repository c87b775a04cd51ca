import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { settledHeap } from '../../test/support/settled-heap.js';
import { createLogger } from '../log/logger.js';
import { millis } from '../time/clock.js';
import { DryRunDriver } from './dry-run-driver.js';
import { IpvsError } from './errors.js';
import type { Ipvs } from './ipvs.js';
import { realServer, type ServiceKey, type VirtualService } from './model.js';
import { IpvsReconciler } from './reconciler.js';

const A: ServiceKey = { protocol: 'tcp', address: '10.255.0.1', port: 80 };
const F: ServiceKey = { protocol: 'udp', address: '10.255.9.9', port: 53 };
const svc = (key: ServiceKey, ws: number[]): VirtualService => ({
  key, scheduler: 'wlc', flags: [], ops: false, realServers: ws.map((w, i) => realServer({ address: `10.255.0.${i + 2}`, port: 80, weight: w })),
});
/** The kernel lists adds first (table-apply.ts); wlc does not care: compare by address. */
const byAddress = (tb: readonly VirtualService[]): VirtualService[] =>
  tb.map((s) => ({ ...s, realServers: [...s.realServers].sort((a, b) => a.address.localeCompare(b.address)) }));
const flush = (): Promise<void> => new Promise((ok) => setImmediate(ok));

function setup(intervalMs?: number) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ json: true, write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  const foreign = svc(F, [1]);
  const ipvs = new DryRunDriver({ owned: [A], logger, initial: [foreign] });
  const clock = new FakeClock();
  const rec = new IpvsReconciler({ ipvs, clock, logger, ...(intervalMs ? { intervalMs: millis(intervalMs) } : {}) });
  return { logs, ipvs, clock, rec, foreign };
}

t.test('a decision is applied at once, keeping foreign services', async (t) => {
  const { ipvs, rec, foreign } = setup();
  const out = await rec.setDesired([svc(A, [10, 0])]);
  t.ok(out.ok);
  t.equal(out.ok && out.commands.length, 3);
  t.same(byAddress(await ipvs.read()), [foreign, svc(A, [10, 0])]);
  t.equal(ipvs.batches.length, 1);
  t.equal(rec.repairs, 0, 'a decision is not a repair');
});

t.test('every interval (default 30 s) drift is read back, repaired, counted and logged', async (t) => {
  const { ipvs, rec, clock, logs, foreign } = setup();
  await rec.setDesired([svc(A, [10, 10])]);
  rec.start();
  t.teardown(() => rec.stop());
  ipvs.replaceTable([foreign, svc(A, [3])]); // by hand: one server removed, one weight changed
  clock.advance(29_999);
  await flush();
  t.equal(rec.repairs, 0, 'nothing before the interval');
  clock.advance(1);
  await flush();
  t.equal(rec.repairs, 2);
  t.same(byAddress(await ipvs.read()), [foreign, svc(A, [10, 10])]);
  const repaired = logs.filter((l) => l.msg === 'repaired IPVS drift');
  t.same(repaired.map((l) => [l.service, l.command]), [
    ['tcp 10.255.0.1:80', '-a -t 10.255.0.1:80 -r 10.255.0.3:80 -g -w 10'],
    ['tcp 10.255.0.1:80', '-e -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 10 -x 0 -y 0'],
  ]);
  clock.advance(30_000);
  await flush();
  t.equal(rec.repairs, 2, 'no drift, no repair');
  t.equal(ipvs.batches.length, 2);
});

t.test('the interval is configurable and stop() ends the checks', async (t) => {
  const { ipvs, rec, clock, foreign } = setup(5_000);
  await rec.setDesired([svc(A, [1])]);
  rec.start();
  ipvs.replaceTable([foreign]);
  clock.advance(5_000);
  await flush();
  t.equal(rec.repairs, 2);
  rec.stop();
  ipvs.replaceTable([foreign]);
  clock.advance(60_000);
  await flush();
  t.equal(rec.repairs, 2);
  t.equal(clock.pendingCount, 0);
});

t.test('a failed apply is reported, counted, and retried by the next check', async (t) => {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ json: true, write: (l) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  let calls = 0;
  const failing: Ipvs = {
    read: async () => [],
    known: () => null,
    stats: async () => [], counters: async () => [],
    own: () => {},
    apply: async () => { calls++; throw new IpvsError('bad-scheduler', 'ipvsadm -R failed: Scheduler or persistence engine not found'); },
  };
  const clock = new FakeClock();
  const rec = new IpvsReconciler({ ipvs: failing, clock, logger });
  const out = await rec.setDesired([svc(A, [1])]);
  t.notOk(out.ok);
  t.equal(!out.ok && out.error.kind, 'bad-scheduler');
  t.equal(rec.failures, 1);
  t.ok(logs.some((l) => l.msg === 'IPVS apply failed' && l.kind === 'bad-scheduler'));
  rec.start();
  clock.advance(30_000);
  await flush();
  t.equal(calls, 2, 'the periodic check tried again');
  t.equal(rec.failures, 2);
  rec.stop();
});

t.test('a failed apply is retried by backoff (1 s, 2 s, ...) while running, then the interval again', async (t) => {
  const logger = createLogger({ json: true, write: () => {} });
  let calls = 0;
  let failUntil = 3;
  const flaky: Ipvs = {
    read: async () => [], known: () => null, stats: async () => [], counters: async () => [], own: () => {},
    apply: async () => {
      calls++;
      if (calls <= failUntil) throw new IpvsError('unknown', 'ipvsadm -R failed: Memory allocation problem');
      return { commands: [], batch: '' };
    },
  };
  const clock = new FakeClock();
  const rec = new IpvsReconciler({ ipvs: flaky, clock, logger });
  rec.start();
  t.notOk((await rec.setDesired([svc(A, [1])])).ok);
  clock.advance(999); await flush();
  t.equal(calls, 1, 'not before the first retry');
  clock.advance(1); await flush();
  t.equal(calls, 2, 'retried after 1 s, not after the 30 s interval');
  clock.advance(2000); await flush();
  t.equal(calls, 3, 'then after 2 s');
  failUntil = 0;
  clock.advance(4000); await flush();
  t.equal(calls, 4, 'then after 4 s: succeeds');
  clock.advance(29_999); await flush();
  t.equal(calls, 4, 'back to the interval after a success');
  clock.advance(1); await flush();
  t.equal(calls, 5);
  rec.stop();
  t.equal(clock.pendingCount, 0);
});

t.test('after stop, a decision still queued reaches the kernel no more', async (t) => {
  const logger = createLogger({ json: true, write: () => {} });
  let applies = 0;
  let release = (): void => {};
  const counting: Ipvs = {
    read: async () => [], known: () => null, stats: async () => [], counters: async () => [], own: () => {},
    apply: async () => { applies++; await new Promise<void>((ok) => { release = ok; }); return { commands: [], batch: '' }; },
  };
  const rec = new IpvsReconciler({ ipvs: counting, clock: new FakeClock(), logger });
  rec.start();
  const first = rec.setDesired([svc(A, [1])]);
  const queued = rec.setDesired([svc(A, [2])]);
  await flush();
  t.equal(applies, 1, 'the first apply is in flight');
  rec.stop();
  release();
  await Promise.all([first, queued]);
  t.equal(applies, 1, 'the apply in flight finished; the queued one was dropped');
});

/** An Ipvs whose applies wait until released, recording what each was asked. */
function gated() {
  const asked: { weights: number[]; readBack: boolean }[] = [];
  const gates: (() => void)[] = [];
  const ipvs: Ipvs = {
    read: async () => [], known: () => null, stats: async () => [], counters: async () => [], own: () => {},
    apply: async (desired, options) => {
      asked.push({ weights: desired.flatMap((s) => s.realServers.map((r) => r.weight)), readBack: options?.readBack ?? false });
      await new Promise<void>((ok) => gates.push(ok));
      return { commands: [], batch: '' };
    },
  };
  const release = async (): Promise<void> => { gates.shift()?.(); await flush(); await flush(); };
  return { asked, ipvs, release };
}

t.test('a burst of decisions during a batch becomes one more batch, of the newest table (issue 13 §2)', async (t) => {
  const { asked, ipvs, release } = gated();
  const rec = new IpvsReconciler({ ipvs, clock: new FakeClock(), logger: createLogger({ json: true, write: () => {} }) });
  const outcomes = [rec.setDesired([svc(A, [1])])];
  await flush();
  for (let w = 2; w <= 1000; w++) outcomes.push(rec.setDesired([svc(A, [w])]));
  await flush();
  t.equal(asked.length, 1, 'one batch in flight, the rest wait as one');
  await release();
  t.same(asked, [{ weights: [1], readBack: false }, { weights: [1000], readBack: false }],
    'the pending run took the newest desired table; decisions read nothing back');
  await release();
  t.equal((await Promise.all(outcomes)).length, 1000, 'every caller hears an outcome');
  t.equal(asked.length, 2, '1,000 decisions, 2 batches');
});

t.test('a check joined by a decision reads back, but its changes are not counted as repairs', async (t) => {
  const { asked, ipvs, release } = gated();
  const rec = new IpvsReconciler({ ipvs, clock: new FakeClock(), logger: createLogger({ json: true, write: () => {} }) });
  const first = rec.setDesired([svc(A, [1])]);
  await flush();
  const check = rec.check();
  const decision = rec.setDesired([svc(A, [2])]);
  t.equal(check, decision, 'one pending run');
  await release();
  await release();
  await Promise.all([first, check]);
  t.same(asked.map((a) => a.readBack), [false, true]);
  t.equal(rec.repairs, 0);
});

t.test('a counters read (exclusive) never runs during a batch; a decision after it waits for it', async (t) => {
  const logger = createLogger({ json: true, write: () => {} });
  const events: string[] = [];
  let release: () => void = () => {};
  const slow: Ipvs = {
    read: async () => [], known: () => null, stats: async () => [], own: () => {},
    counters: async () => { events.push('read'); return []; },
    apply: async () => {
      events.push('batch start');
      await new Promise<void>((r) => { release = r; });
      events.push('batch end');
      return { commands: [], batch: '' };
    },
  };
  const rec = new IpvsReconciler({ ipvs: slow, clock: new FakeClock(), logger });
  const first = rec.setDesired([svc(A, [1])]);
  await flush(); // the batch is in flight
  const read = rec.exclusive(() => slow.counters());
  const second = rec.setDesired([svc(A, [2])]);
  await flush();
  t.same(events, ['batch start'], 'the read waits for the batch in flight');
  release();
  await first;
  await read;
  await flush();
  t.same(events, ['batch start', 'batch end', 'read', 'batch start'], 'the decision after the read runs after it');
  release();
  await second;
  await t.rejects(rec.exclusive(async () => { throw new Error('boom'); }), /boom/, 'a failed read is its caller\'s');
  const third = rec.setDesired([svc(A, [3])]);
  await flush();
  release();
  t.ok((await third).ok, 'and does not stop the queue');
});

t.test('a batch of 20,000 commands: a log line each, written over several turns of the loop (issue 13 §5)', async (t) => {
  let turn = 0;
  const turns = new Set<number>();
  let lines = 0;
  const logger = createLogger({ json: true, write: (l) => { if (l.includes('"IPVS change"')) { lines++; turns.add(turn); } } });
  const ipvs = new DryRunDriver({ owned: [A], logger: createLogger({ json: true, write: () => {} }) });
  const rec = new IpvsReconciler({ ipvs, clock: new FakeClock(), logger });
  let on = true;
  const count = (): void => { turn++; if (on) setImmediate(count); };
  setImmediate(count);
  const big: VirtualService = { ...svc(A, []), realServers: Array.from({ length: 19_999 }, (_, i) => realServer({ address: `10.255.${i >> 8}.${i & 255}`, port: 80, weight: 1 })) };
  const out = await rec.setDesired([big]);
  on = false;
  t.equal(out.ok && out.commands.length, 20_000);
  t.equal(lines, 20_000, 'every command logged');
  t.ok(turns.size > 1, `over ${turns.size} turns, not one`);
});

t.test('the queue keeps none of what its work returned: a counters read is collected once its reader is done', async (t) => {
  const { rec } = setup();
  let rows: WeakRef<object> | null = null;
  await (async () => {
    const got = await rec.exclusive(async () => { const r = { servers: new Array(1000).fill(0) }; rows = new WeakRef(r); return r; });
    t.equal(got.servers.length, 1000);
  })();
  await settledHeap();
  t.equal(rows!.deref(), undefined, 'the rows are gone');
  const failed = rec.exclusive(() => Promise.reject(new Error('read failed')));
  await t.rejects(failed, /read failed/, 'the reader hears the failure');
  const out = await rec.setDesired([svc(A, [10])]);
  t.ok(out.ok, 'a failed read does not fail the decisions after it');
});
