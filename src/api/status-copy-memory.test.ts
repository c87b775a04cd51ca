// Issue 13 §3: the API worker's copy of the status stays compact at 10,000 realservers. The copy
// as the worker holds it after the first reading (every pool whole) and one with every server's
// counters and series changed (the reading of every second), through the serialiser as postMessage.
import t from 'tap';
import { deserialize, serialize } from 'node:v8';
import { keyedRig } from '../../test/support/keyed-rig.js';
import { settledHeap } from '../../test/support/settled-heap.js';
import { SentLists } from './state-delta.js';
import { StatusCopy } from './status-copy.js';
import { buildDelta, type StatusDelta } from './status-delta.js';

const SERVERS = 10_000;

t.test(`10,000 servers: the worker's copy holds under 1,150 bytes of heap per server`, async (t) => {
  const hosts = Array.from({ length: SERVERS }, (_, i) => `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  const r = await keyedRig('web', '10.2.0.1', hosts);
  const sent = new SentLists();
  const round = (ms: number): void => {
    for (const h of hosts) {
      r.checks.record('web', h, 'ProxyFetch', { up: true, reason: 'HTTP 200', ms, requests: [{ url: 'http://web.test/healthz', up: true, ms }] });
      r.c.countResult('web', h, 'ProxyFetch', true);
    }
  };
  for (const h of hosts) r.c.monitorResult('web', h, 'ProxyFetch', { up: true, reason: 'HTTP 200' });
  round(3);
  r.clock.advance(0);
  // as postMessage carries them: serialised (outside the heap), read back in the copy's thread
  const readings = [serialize(buildDelta(r.src, r.keyed, r.changes.drain(), null, sent))];
  round(4.25);
  readings.push(serialize(buildDelta(r.src, r.keyed, r.changes.drain(), null, sent)));
  const before = await settledHeap();
  const copy = new StatusCopy();
  for (const b of readings) copy.apply(deserialize(b) as StatusDelta);
  const snap = copy.snapshot(); // what /metrics and the JSON pages read: the assembled pools and the series list
  const perServer = ((await settledHeap()) - before) / SERVERS;
  t.equal(snap.coordinator.pools[0]?.servers.length, SERVERS);
  t.equal(snap.checks?.series.length, SERVERS);
  t.same(snap.checks?.series[0]?.recentMs, [3, 4.25], 'the second reading is in');
  // 1,404 before its arrays were sized up front (session 14: 987)
  t.ok(perServer < 1150, `${perServer.toFixed(0)} bytes per server`);
  t.comment(`${perServer.toFixed(0)} bytes of heap per server in the worker's copy`);
});
