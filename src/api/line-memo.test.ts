// /metrics with the kept render's memo (line-memo.ts): byte for byte the body rendered from scratch,
// over a run of random results, transitions, list edits and reloads' monitor changes.
import t from 'tap';
import { keyedRig } from '../../test/support/keyed-rig.js';
import type { PoolStatus } from '../coordinator/status.js';
import { LineMemo } from './line-memo.js';
import { metricsBody, metricsSliced } from './metrics.js';
import { SentLists } from './state-delta.js';
import { StatusCopy } from './status-copy.js';
import { buildDelta } from './status-delta.js';

/** A small deterministic generator (the run is the same every time). */
function random(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32; };
}

function firstDifference(a: Buffer, b: Buffer): string {
  const la = a.toString('utf8').split('\n'), lb = b.toString('utf8').split('\n');
  const i = la.findIndex((l, k) => l !== lb[k]);
  return `line ${i}: ${JSON.stringify(la[i])} vs ${JSON.stringify(lb[i])}`;
}

t.test('rendered with the memo = rendered from scratch, after every reading of a random run', async (t) => {
  const all = Array.from({ length: 400 }, (_, i) => `10.9.${i >> 8}.${(i & 255) + 1}`);
  let hosts = all.slice(0, 300);
  const r = await keyedRig('web', '10.2.0.1', hosts);
  const rnd = random(13);
  const copy = new StatusCopy();
  const sent = new SentLists();
  const memo = new LineMemo();
  const checked = (host: string, up: boolean): void => {
    r.checks.record('web', host, 'ProxyFetch', { up, reason: up ? 'HTTP 200' : 'refused', ms: 1 + Math.floor(rnd() * 20), requests: [{ url: 'http://web.test/', up, ms: 2 }] });
    r.c.countResult('web', host, 'ProxyFetch', up, up ? undefined : 'refused');
  };
  let same = 0;
  for (let round = 0; round < 60; round++) {
    const what = rnd();
    if (round === 0 || what < 0.15) {
      // transitions: some servers go down or come back (status, transitions, pooled, up change)
      for (const h of hosts) if (round === 0 || rnd() < 0.05) r.c.monitorResult('web', h, 'ProxyFetch', { up: rnd() < 0.8, reason: 'x' });
    } else if (what < 0.25) {
      // a list edit: servers leave, others arrive (the series change)
      hosts = all.filter(() => rnd() < 0.75);
      await r.c.updatePool('web', hosts.map((host) => ({ host, weight: 10, enabled: true })));
    } else if (what < 0.35) {
      // a few results only: counters of a few servers
      for (const h of hosts) if (rnd() < 0.02) checked(h, true);
    } else if (what < 0.45) {
      // nothing changed at all
    } else {
      // the common second: every server checked, up results counted
      for (const h of hosts) checked(h, rnd() < 0.97);
    }
    r.clock.advance(1000);
    copy.apply(structuredClone(buildDelta(r.src, r.keyed, r.changes.drain(), null, sent)));
    const snap = copy.snapshot();
    const g = metricsSliced(snap, undefined, memo);
    let withMemo: Buffer;
    for (let x = g.next(); ; x = g.next()) if (x.done) { withMemo = x.value; break; }
    const scratch = metricsBody(snap);
    if (withMemo.equals(scratch)) same++;
    else t.fail(`round ${round}: ${firstDifference(withMemo, scratch)}`);
  }
  t.equal(same, 60, 'every body the same');
  t.ok(memo.copied > 60, `families copied: ${memo.copied}`);
  t.ok(memo.written > 60, `families written: ${memo.written}`);
  r.c.stop();
});

t.test('a render that does not complete leaves the memo on the body still kept', async (t) => {
  const hosts = Array.from({ length: 50 }, (_, i) => `10.9.0.${i + 1}`);
  const r = await keyedRig('web', '10.2.0.1', hosts);
  for (const h of hosts) r.c.monitorResult('web', h, 'ProxyFetch', { up: true, reason: 'ok' });
  const copy = new StatusCopy();
  copy.apply(structuredClone(buildDelta(r.src, r.keyed, r.changes.drain(), null, new SentLists())));
  const memo = new LineMemo();
  const whole = (m: LineMemo): Buffer => { const g = metricsSliced(copy.snapshot(), undefined, m); for (let x = g.next(); ; x = g.next()) if (x.done) return x.value; };
  whole(memo);
  // a render abandoned after its first family: its begin() must not be what the next one compares with
  const g = metricsSliced(copy.snapshot(), undefined, memo);
  g.next();
  g.return(Buffer.alloc(0));
  for (const h of hosts.slice(0, 5)) r.c.monitorResult('web', h, 'ProxyFetch', { up: false, reason: 'refused' });
  r.clock.advance(0);
  copy.apply(structuredClone(buildDelta(r.src, r.keyed, r.changes.drain(), null, new SentLists())));
  t.ok(whole(memo).equals(metricsBody(copy.snapshot())), 'the next render is right');
  r.c.stop();
});

t.test('the same values over other series are written, not copied: a host replaced, a monitor renamed, pools reordered', async (t) => {
  const m = (name: string) => ({ name, up: true }) as unknown as PoolStatus['servers'][number]['monitors'][number];
  const s = (host: string, monitors = [m('ProxyFetch')]) => ({ host, monitors }) as unknown as PoolStatus['servers'][number];
  const p = (name: string, servers: PoolStatus['servers']) => ({ name, servers }) as unknown as PoolStatus;
  const base = [p('web', [s('a'), s('b')]), p('api', [s('c')])];
  const values = new Float64Array([1, 1, 1]);
  const variants: [string, PoolStatus[], boolean][] = [
    ['the same series', [p('web', [s('a'), s('b')]), p('api', [s('c')])], true],
    ['a host replaced', [p('web', [s('a'), s('x')]), p('api', [s('c')])], false],
    ['a monitor renamed', [p('web', [s('a'), s('b', [m('IdleConnection')])]), p('api', [s('c')])], false],
    ['pools reordered', [p('api', [s('c')]), p('web', [s('a'), s('b')])], false],
    ['a service renamed', [p('web', [s('a'), s('b')]), p('api2', [s('c')])], false],
  ];
  for (const [what, pools, reused] of variants) {
    const memo = new LineMemo();
    memo.begin(base);
    memo.wrote('f', 10, 20, values);
    memo.commit(Buffer.alloc(30));
    memo.begin(pools);
    t.equal(memo.reusable('f', 'monitor', new Float64Array(values)) !== null, reused, `${what}: ${reused ? 'copied' : 'written'}`);
  }
});
