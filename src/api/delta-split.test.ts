// A large delta posted in parts (status-delta.ts splitDelta, delta-sender.ts): the parts applied in
// order give the worker's copy exactly what the whole delta gives; one part per turn of the loop.
import t from 'tap';
import { keyedRig, type KeyedRig } from '../../test/support/keyed-rig.js';
import { DeltaSender } from './delta-sender.js';
import type { MainMessage } from './protocol.js';
import { SentLists } from './state-delta.js';
import { StatusCopy } from './status-copy.js';
import { lazyParts, splitDelta } from './delta-parts.js';
import { encodePiece } from './delta-pieces.js';
import { buildDelta, encodeCounters, type DeltaJob, type StatusDelta } from './status-delta.js';

const hosts = Array.from({ length: 2500 }, (_, i) => `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`);

async function rig() {
  const r = await keyedRig('web', '10.2.0.1', hosts);
  const sent = new SentLists();
  const result = (host: string, up: boolean, ms: number): void => {
    r.checks.record('web', host, 'ProxyFetch', { up, reason: up ? 'HTTP 200' : 'refused', ms, requests: [{ url: 'http://web.test/', up, ms }] });
    r.c.countResult('web', host, 'ProxyFetch', up, up ? undefined : 'refused');
  };
  for (const h of hosts) { r.c.monitorResult('web', h, 'ProxyFetch', { up: true, reason: 'HTTP 200' }); result(h, true, 3); }
  r.clock.advance(0);
  const delta = () => structuredClone(buildDelta(r.src, r.keyed, r.changes.drain(), null, sent));
  return { r, result, delta };
}

/**
 * A reading posted as the sender does (delta-sender.ts): each part taken in turn, its pieces and
 * counters read only then; `each` gets the part and how many servers the pieces had read by then.
 */
function eachPart(r: KeyedRig, head: StatusDelta, jobs: DeltaJob[], sent: SentLists, each: (part: StatusDelta, read: number) => void): number {
  let read = 0;
  const { count, parts } = lazyParts(head, jobs, (s, h) => encodeCounters(r.keyed, s, h), 1000,
    (j) => { read += j.hosts.length; return encodePiece(r.keyed, j, sent); });
  for (let p = parts.next(); !p.done; p = parts.next()) each(structuredClone(p.value), read);
  return count;
}

/** `host` down and its service marked whole: the next reading (which goes by position when `sent` knows the list). */
function downAndMarked(r: KeyedRig, sent: SentLists, host: string): StatusDelta {
  r.c.monitorResult('web', host, 'ProxyFetch', { up: false, reason: 'refused' });
  r.clock.advance(0);
  r.changes.service('web');
  return buildDelta(r.src, r.keyed, r.changes.drain(), null, sent);
}

t.test('parts applied in order = the whole delta applied', async (t) => {
  const { r, result, delta } = await rig();
  const whole = new StatusCopy();
  const parted = new StatusCopy();
  const first = delta(); // complete: the pool goes whole
  whole.apply(first);
  parted.apply(first);
  hosts.forEach((h, i) => result(h, i % 7 !== 0, i % 13)); // every server's counters and series changed
  const d = delta();
  const parts = splitDelta(d, 1000);
  t.equal(parts.length, 3, '2,500 servers in parts of 1,000');
  t.same(parts.map((p) => p.counters.reduce((n, c) => n + c.hosts.length, 0)), [1000, 1000, 500]);
  t.ok(parts.every((p) => p.order.length === 1 && p.histograms !== undefined), 'every part names every service and carries the histograms');
  whole.apply(d);
  for (const [i, p] of parts.entries()) {
    parted.apply(structuredClone(p));
    if (i === 0) t.equal(parted.snapshot().coordinator.pools[0]?.servers.length, 2500, 'a copy read between parts keeps every server');
  }
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy');
  t.same(splitDelta(d, 5000), [d], 'a delta within the size goes as it is');
  r.c.stop();
});

t.test('the sender posts in order, `more` on all but the last; never more than one reading waits', async (t) => {
  const { r, result, delta } = await rig();
  delta();
  for (const h of hosts) result(h, true, 4);
  const got: MainMessage[] = [];
  const slow = (m: MainMessage): void => { got.push(m); const until = performance.now() + 3; while (performance.now() < until); };
  const sender = new DeltaSender(slow, 1000);
  sender.send(delta());
  t.ok(got.length >= 1 && got.length < 3, `part of the reading at once (${got.length} of 3), the rest on later turns`);
  for (const h of hosts.slice(0, 10)) result(h, false, 1);
  sender.send(delta()); // a second reading while the first is still being sent
  t.equal(got.length, 3, 'the rest of the first reading goes at once, before the second');
  t.ok(sender.waiting <= 1, 'only the second reading waits');
  for (let i = 0; i < 10 && got.length < 4; i++) await new Promise((res) => setImmediate(res));
  t.equal(got.length, 4, 'then the small second delta');
  t.same(got.map((m) => (m.t === 'delta' ? m.more ?? false : m.t)), [true, true, false, false]);
  for (let k = 0; k < 50; k++) { for (const h of hosts) result(h, true, k); sender.send(delta()); }
  t.ok(sender.waiting <= 3, `50 readings sent back to back: at most one reading's parts wait (${sender.waiting})`);
  r.c.stop();
});

t.test('counters encoded part by part, only when a part is taken; applied in order = the whole delta', async (t) => {
  const { r, result, delta } = await rig();
  const whole = new StatusCopy();
  const parted = new StatusCopy();
  const first = delta();
  whole.apply(first);
  parted.apply(structuredClone(first));
  hosts.forEach((h, i) => result(h, i % 5 !== 0, i % 11));
  const changes = r.changes.drain();
  const eager = buildDelta(r.src, r.keyed, changes, null);
  const jobs: DeltaJob[] = [];
  const head = buildDelta(r.src, r.keyed, changes, null, undefined, jobs);
  t.same([head.counters, jobs.reduce((n, j) => n + j.hosts.length, 0)], [[], 2500], 'the head carries no counters; 2,500 servers wait as jobs');
  let encoded = 0;
  const { count, parts } = lazyParts(head, jobs, (s, h) => { encoded += h.length; return encodeCounters(r.keyed, s, h); }, 1000);
  t.equal(count, 4, 'the head and parts of at most 1,000');
  const taken = [];
  for (let p = parts.next(); !p.done; p = parts.next()) {
    taken.push(encoded);
    parted.apply(structuredClone(p.value));
  }
  t.same(taken, [0, 1000, 2000, 2500], 'each part encoded when taken, not before');
  whole.apply(structuredClone(eager));
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy as the delta built at once');
  hosts.forEach((h) => result(h, true, 2));
  const j2: DeltaJob[] = [];
  const got: MainMessage[] = [];
  const slow = new DeltaSender((m) => { got.push(m); const until = performance.now() + 3; while (performance.now() < until); }, 1000);
  slow.send(buildDelta(r.src, r.keyed, r.changes.drain(), null, undefined, j2), j2, (s, h) => encodeCounters(r.keyed, s, h));
  t.ok(got.length >= 1 && got.length < 4, `part of the reading at once (${got.length} of 4)`);
  for (let i = 0; i < 20 && slow.waiting > 0; i++) await new Promise((res) => setImmediate(res));
  t.same(got.map((m) => (m.t === 'delta' ? m.more ?? false : m.t)), [true, true, true, false], 'in order, `more` on all but the last');
  t.equal(slow.waiting, 0, 'nothing left');
  r.c.stop();
});

t.test('a part that cannot be encoded: the rest dropped, the worker told, the caller asked to mark everything; no exception', async (t) => {
  const { r, result, delta } = await rig();
  delta();
  hosts.forEach((h) => result(h, true, 5));
  const jobs: DeltaJob[] = [];
  const head = buildDelta(r.src, r.keyed, r.changes.drain(), null, undefined, jobs);
  const got: MainMessage[] = [];
  let errors = 0;
  const sender = new DeltaSender((m) => got.push(m), 1000, () => errors++);
  let n = 0;
  sender.send(head, jobs, (s, h) => { if (++n === 2) throw new Error('gone'); return encodeCounters(r.keyed, s, h); });
  for (let i = 0; i < 20 && sender.waiting > 0; i++) await new Promise((res) => setImmediate(res));
  t.same(got.map((m) => m.t), ['delta', 'delta', 'snapshot-error'], 'the head, one part, then the error');
  t.same([errors, sender.waiting], [1, 0]);
  r.c.stop();
});

t.test('whole pools and whole-service states are cut as well; a pool sent in parts shows once whole', async (t) => {
  const { r, result, delta } = await rig();
  const whole = new StatusCopy();
  const parted = new StatusCopy();
  const sizes = (ps: ReturnType<typeof splitDelta>): number[][] => ps.map((p) => [
    ...p.pools.map((x) => x.pool.servers.length), ...(p.appends ?? []).map((a) => a.servers.length),
    ...(p.states ?? []).map((s) => s.counters.hosts.length),
  ]);
  const first = delta(); // a new worker: every pool whole
  const parts = splitDelta(first, 1000);
  t.same(sizes(parts), [[1000], [1000], [500]], 'a pool of 2,500 in parts of 1,000');
  t.same(parts.map((p) => [p.pools[0]?.more ?? null, p.appends?.[0]?.more ?? null]), [[true, null], [null, true], [null, null]]);
  t.same(parts.map((p) => (p.pools[0]?.series.length ?? 0) + (p.appends?.[0]?.series.length ?? 0)), [1000, 1000, 500], 'each server\'s series go with it');
  whole.apply(first);
  parts.forEach((p, i) => {
    parted.apply(structuredClone(p));
    if (i < 2) t.same(parted.snapshot().coordinator.pools, [], `after part ${i + 1}: a new pool is not shown half`);
  });
  t.same(parted.snapshot(), whole.snapshot(), 'then the same copy');

  // the pool whole again (a reload) with other counters: the old copy is shown until the last part
  for (const h of hosts) result(h, false, 1);
  r.changes.service(null);
  const again = delta();
  const before = parted.snapshot().coordinator.pools[0]!.servers[2499]!.monitors[0]!.downResults;
  const againParts = splitDelta(again, 1000);
  for (const p of againParts.slice(0, 2)) parted.apply(structuredClone(p));
  const between = parted.snapshot().coordinator.pools[0]!;
  t.same([between.servers.length, between.servers[2499]!.monitors[0]!.downResults], [2500, before], 'between parts: the old pool, whole');
  parted.apply(structuredClone(againParts[2]!));
  whole.apply(again);
  t.same(parted.snapshot(), whole.snapshot(), 'then the new one');

  // every server down at once (a rack lost): the transitions' states, cut
  for (const h of hosts) r.c.monitorResult('web', h, 'ProxyFetch', { up: false, reason: 'refused' });
  r.clock.advance(0);
  const down = delta();
  t.ok(down.states?.[0]?.partial, 'the transitions go as a partial StatesDelta');
  const downParts = splitDelta(down, 1000);
  t.same(sizes(downParts), [[1000], [1000], [500]]);
  for (const p of downParts) parted.apply(structuredClone(p));
  whole.apply(down);
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy');

  // a whole-service mark with the list unchanged: states by position, cut into parts by host
  for (const h of hosts.slice(0, 600)) r.c.monitorResult('web', h, 'ProxyFetch', { up: true, reason: 'HTTP 200' });
  r.clock.advance(0);
  r.changes.service('web');
  const marked = delta();
  t.ok(marked.states?.length === 1 && !marked.states[0]!.partial, 'by position');
  const markedParts = splitDelta(marked, 1000);
  t.same(sizes(markedParts), [[1000], [1000], [500]]);
  t.ok(markedParts.every((p) => p.states?.[0]?.partial), 'each part by host');
  for (const p of markedParts) parted.apply(structuredClone(p));
  whole.apply(marked);
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy');
  t.ok(parted.snapshot().coordinator.pools[0]!.servers.filter((s) => s.up).length >= 600, 'the 600 back up');
  r.c.stop();
});

t.test('a first reading: a large pool read piece by piece as its parts go; the copy as from the whole delta', async (t) => {
  const { r, result } = await rig();
  for (const h of hosts) result(h, true, 7);
  r.changes.service(null); // everything, as for a new worker
  const changes = r.changes.drain();
  const whole = new StatusCopy();
  whole.apply(structuredClone(buildDelta(r.src, r.keyed, changes, null)));
  const sent = new SentLists();
  const jobs: DeltaJob[] = [];
  const head = buildDelta(r.src, r.keyed, changes, null, sent, jobs);
  t.same([head.pools, jobs.map((j) => [j.hosts.length, j.whole])], [[], [[2500, { from: 0, of: 2500 }]]], 'the head reads no server; the pool waits as a job');
  const parted = new StatusCopy();
  const taken: number[] = [];
  const count = eachPart(r, head, jobs, sent, (p, read) => { taken.push(read); parted.apply(p); });
  t.equal(count, 4, 'the head and three pieces');
  t.same(taken, [0, 1000, 2000, 2500], 'each piece read when its part is taken');
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy');
  const next = downAndMarked(r, sent, hosts[5]!);
  t.ok(next.pools.length === 0 && next.states?.length === 1, 'the lists sent in pieces were recorded: a later mark goes by position');
  parted.apply(structuredClone(next));
  t.equal(parted.snapshot().coordinator.pools[0]!.servers[5]!.up, false, 'and lands on the right server');

  // the service gone (a reload) between the head and its pieces: it is marked, so the next reading settles it
  r.changes.service(null);
  const j2: DeltaJob[] = [];
  const h2 = buildDelta(r.src, r.keyed, r.changes.drain(), null, sent, j2);
  r.c.configure([], { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 });
  r.changes.drain();
  eachPart(r, h2, j2, sent, (p) => parted.apply(p));
  t.equal(parted.snapshot().coordinator.pools[0]!.servers.length, 2500, 'the worker keeps its last whole pool, never a part of one');
  t.ok(r.changes.drain().services.has('web'), 'and the service is marked for the next reading');
  r.c.stop();
});

t.test('a marked pool whose hosts the worker has: pieces replace its servers in place; unchanged ones keep their objects', async (t) => {
  const { r } = await rig();
  const sent = new SentLists();
  const copy = new StatusCopy();
  const post = (changes: ReturnType<typeof r.changes.drain>): DeltaJob[] => {
    const jobs: DeltaJob[] = [];
    eachPart(r, buildDelta(r.src, r.keyed, changes, null, sent, jobs), jobs, sent, (p) => copy.apply(p));
    return jobs;
  };
  post(r.changes.drain()); // a new worker: whole, in pieces
  const before = copy.snapshot().coordinator.pools[0]!.servers;
  await r.c.updatePool('web', hosts.map((host, i) => ({ host, weight: 10, enabled: true, ...(i < 10 ? { port: 8080 } : {}) })));
  r.clock.advance(0);
  const changes = r.changes.drain();
  t.ok(changes.services.has('web'), 'a list edit marks the service');
  const jobs = post(changes);
  t.same(jobs.map((j) => [j.hosts.length, j.inPlace, j.whole]), [[2500, { from: 0 }, undefined]], 'in place: the worker has these hosts');
  const after = copy.snapshot().coordinator.pools[0]!.servers;
  t.same(after.slice(0, 10).map((s) => s.port), Array(10).fill(8080), 'the new ports');
  t.ok(after.slice(10).every((s, i) => s === before[i + 10]), 'every other server keeps its object (its /metrics lines stay cached)');
  const whole = new StatusCopy();
  whole.apply(structuredClone(buildDelta(r.src, r.keyed, { all: true, services: new Set(), servers: new Map(), states: new Map() }, null)));
  t.same(copy.snapshot(), whole.snapshot(), 'the same copy as a whole delta gives');
  const next = downAndMarked(r, sent, hosts[3]!);
  t.ok(next.pools.length === 0 && next.states?.length === 1, 'SentLists followed the pieces: the next mark goes by position');
  copy.apply(structuredClone(next));
  t.same([copy.snapshot().coordinator.pools[0]!.servers[3]!.up, copy.snapshot().coordinator.pools[0]!.servers[3]!.port], [false, 8080]);
  r.c.stop();
});

t.test('every server down at once: the transitions\' states read piece by piece as the parts go', async (t) => {
  const { r, result } = await rig();
  const sent = new SentLists();
  const whole = new StatusCopy();
  const parted = new StatusCopy();
  const first = structuredClone(buildDelta(r.src, r.keyed, r.changes.drain(), null, sent));
  whole.apply(first);
  parted.apply(structuredClone(first));
  for (const h of hosts) { r.c.monitorResult('web', h, 'ProxyFetch', { up: false, reason: 'refused' }); result(h, false, 1); }
  r.clock.advance(0);
  const changes = r.changes.drain();
  whole.apply(structuredClone(buildDelta(r.src, r.keyed, changes, null)));
  const jobs: DeltaJob[] = [];
  const head = buildDelta(r.src, r.keyed, changes, null, sent, jobs);
  t.same([head.states, jobs.map((j) => [j.hosts.length, j.moved !== undefined])], [undefined, [[2500, true]]], 'the head reads no server');
  const taken: number[] = [];
  eachPart(r, head, jobs, sent, (p, read) => { taken.push(read); parted.apply(p); });
  t.same(taken, [0, 1000, 2000, 2500], 'each piece read when its part is taken');
  t.same(parted.snapshot(), whole.snapshot(), 'the same copy as the delta built at once');
  t.ok(parted.snapshot().coordinator.pools[0]!.servers.every((s) => !s.up), 'every server down');
  r.c.stop();
});
