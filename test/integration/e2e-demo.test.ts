import t from 'tap';
import { existsSync } from 'node:fs';
import { waitFor } from '../lab/proc.js';
import { Vipd } from './e2e-helpers.js';

// The README's demo (`npm start` = `vipd run --demo`): loopback backends it starts itself, dry-run
// IPVS, checks, IPVS and VIP decisions within seconds, status on http://127.0.0.1:9090/pools; SIGTERM
// stops it, exit 0, its temporary folder removed.
t.test('vipd run --demo', async (t) => {
  const vipd = new Vipd('', '127.0.0.1:9090', []);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  const dirLine = await vipd.waitLog((l) => l.msg.startsWith('demo config in '), 10_000, 'demo started');
  const dir = /demo config in (\S+);/.exec(dirLine.msg)?.[1] ?? '';
  t.ok(existsSync(dir), `demo folder ${dir}`);
  await vipd.waitLog((l) => l.msg.startsWith('VIP announced with MED 10'), 15_000, 'VIP decision');
  await vipd.waitLog((l) => l.msg === 'server depooled' && l.server === '127.0.0.13', 5_000, 'the 503 backend depooled');
  t.ok(vipd.batches().some((b) => b.includes('-d -t 10.2.1.1:18080 -r 127.0.0.13:18080')), 'the IPVS batch removing it was logged');
  const text = await waitFor('status page', 5_000, async () => {
    const r = await vipd.get('/pools/web', false);
    return r.status === 200 && String(r.body).includes('127.0.0.13:\tenabled/partially up/not pooled') ? String(r.body) : undefined;
  });
  // PyBal's lines; a server that is not up gets its reason after a tab (check_pybal_ipvs_diff reads the first two fields)
  t.match(text, /^127\.0\.0\.11:\tenabled\/up\/pooled\n127\.0\.0\.12:\tenabled\/up\/pooled\n127\.0\.0\.13:\tenabled\/partially up\/not pooled\t\(ProxyFetch: [^\n]*HTTP 503[^\n]*\)\n$/, 'the 503 one is partially up (IdleConnection connects), with the reason');
  vipd.signal('SIGTERM');
  t.equal(await vipd.exited, 0, 'exit 0 on SIGTERM');
  t.notOk(existsSync(dir), 'demo folder removed');
});
