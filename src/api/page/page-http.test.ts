import t from 'tap';
import { silentLogger } from '../../log/logger.js';
import { startApiServer } from '../server.js';
import type { StatusSource } from '../types.js';
import { PAGE_CSP } from './index.js';

const source: StatusSource = {
  coordinator: () => ({ pools: [], vips: [], alerts: [{ level: 'warning', source: 'pool <x>', message: '<script>bad()</script>' }] }),
  bgp: () => ({ enabled: false, localAs: null, peers: [] }),
  startedAt: 0, now: () => 5000,
};

t.test('GET / serves the page to browsers only; its script, stylesheet and live part; CSP on each', async (t) => {
  const api = await startApiServer({ source, hosts: ['127.0.0.1'], port: 0, log: silentLogger });
  t.teardown(() => api.close());
  const get = async (path: string, accept?: string) => {
    const r = await fetch(`http://${api.addresses[0]}${path}`, accept ? { headers: { accept } } : {});
    return { status: r.status, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy'), body: await r.text() };
  };
  const page = await get('/', 'text/html,application/xhtml+xml,*/*;q=0.8');
  t.equal(page.status, 200);
  t.equal(page.type, 'text/html; charset=utf-8');
  t.equal(page.csp, PAGE_CSP);
  t.match(page.csp, "script-src 'self'");
  t.match(page.body, /^<!doctype html>/);
  t.match(page.body, 'pool &lt;x&gt;</strong>: &lt;script&gt;bad()&lt;/script&gt;', 'the alert, escaped');
  t.equal((await get('/')).status, 404, 'without text/html, / answers as it did before (404)');
  t.equal((await get('/', 'application/json')).status, 404);
  t.equal((await get('/pools', 'text/html')).body, '', 'other endpoints keep their text form for browsers');
  const js = await get('/page/app.js');
  t.equal(js.type, 'text/javascript; charset=utf-8');
  t.match(js.body, 'sessionStorage');
  t.equal((await get('/page/app.css')).type, 'text/css; charset=utf-8');
  t.equal((await get('/favicon.ico')).status, 204, 'no icon, no 404');
  const live = await get('/page/live');
  t.equal(live.status, 200);
  t.match(live.body, /^<p class="meta">Status at/, 'the live fragment alone');
  t.notOk(live.body.includes('<html'), 'no document around it');
});
