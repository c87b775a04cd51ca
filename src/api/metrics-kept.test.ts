// Issue 13: from 2,000 realservers the API worker keeps /metrics rendered from the first status on,
// before anyone scrapes, so the first scrape does not wait for a render on the spot (~1.4 s at
// 10,000). Below that it asks for the status once (its size decides), then only when asked.
import t from 'tap';
import { keyedRig } from '../../test/support/keyed-rig.js';
import { silentLogger } from '../log/logger.js';
import { startApiServer } from './server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const [n, kept] of [[2500, true], [10, false]] as const) {
  t.test(`${n} servers: the worker ${kept ? 'keeps /metrics rendered before any scrape' : 'asks once, then only on a scrape'}`, async (t) => {
    const hosts = Array.from({ length: n }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    const { c, src, keyed } = await keyedRig('web', '10.2.1.1', hosts);
    t.teardown(() => c.stop());
    const api = await startApiServer({ source: { ...src, keyed }, hosts: ['127.0.0.1'], port: 0, log: silentLogger });
    t.teardown(() => api.close());
    // Bounded: 13 s, enough for the first status (1 s) and two idle refreshes (5 s each).
    for (let i = 0; i < 130 && api.snapshots < 3; i++) await sleep(100);
    if (kept) t.ok(api.snapshots >= 3, `${api.snapshots} status readings without a scrape: kept current`);
    else t.equal(api.snapshots, 1, 'one status reading without a scrape');
    const r = await fetch(`http://${api.addresses[0]}/metrics`);
    const body = await r.text();
    t.match(body, new RegExp(`^pybal_service_servers\\{service="web"\\} ${n}(\\.0)?$`, 'm'), 'the scrape has every server');
  });
}
