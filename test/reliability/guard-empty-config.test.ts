import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';
import { sleep, waitFor } from '../lab/proc.js';
import { commandsFor, twoServices, VIP_A, VIP_B } from './guard-support.js';

// Issue 11, blast radius: with bgp = no an empty or truncated config file is a valid config
// without services. A SIGHUP to one is refused with an alert and everything keeps running; at
// start it is refused with exit 1; `--allow-empty` lets it through.
t.test('SIGHUP to an empty or truncated config: refused, alerted, both services keep running', async (t) => {
  const s = await twoServices(t, { nA: 2, nB: 1 });
  const from = s.vipd.lines.length;
  const before = { A: await s.pooled('A'), B: await s.pooled('B') };
  for (const [what, text] of [['an empty file', ''], ['a file truncated after [global]', '[global]\nbgp = no\n']] as const) {
    writeFile(s.conf, text);
    const mark = s.vipd.lines.length;
    s.vipd.signal('SIGHUP');
    const l = await s.vipd.waitLog((x) => x.msg.startsWith('config reload rejected'), 5_000, `reload of ${what} rejected`, mark);
    t.match(l.msg, /has no services: it would remove all 2 running \(A, B\); an empty or truncated file\? Start vipd with --allow-empty/, what);
    // The API serves snapshots up to ~200 ms old (docs/api.md): wait for one taken after the reload.
    let alerts = await s.alerts();
    await waitFor(`${what}: /alerts critical`, 2000, async () => (alerts = await s.alerts()).status === 'critical', 50);
    t.equal(alerts.status, 'critical', `${what}: /alerts is critical`);
    t.match(alerts.msg, /config: reload of .*vipd\.conf rejected: .*has no services/, `${what}: /alerts names the refused reload`);
  }
  t.same((await s.vipd.get('/pools')).body, ['A', 'B'], 'both services still configured');
  await sleep(1500); // a few health rounds
  t.same({ A: await s.pooled('A'), B: await s.pooled('B') }, before, 'every server still pooled and up');
  t.same([...commandsFor(s.vipd, VIP_A, s.port, from), ...commandsFor(s.vipd, VIP_B, s.port, from)], [], 'no IPVS change');
  t.equal(s.vipd.lines.slice(from).filter((l) => l.msg === 'service removed').length, 0);
});

t.test('vipd run on an empty config with bgp = no: exit 1 with the reason, unless --allow-empty', async (t) => {
  const dir = tempDir(t);
  const cfg = join(dir, 'empty.conf');
  writeFile(cfg, '');
  const refused = new Vipd(cfg, '');
  t.teardown(() => refused.stop());
  t.equal(await refused.exited, 1);
  t.match(refused.stderr.join(''), `vipd: ${cfg}: configuration not usable:\n${cfg} has no services and bgp = no: vipd would do nothing; an empty or truncated file? Start vipd with --allow-empty`);
  t.equal(refused.lines.filter((l) => l.msg === 'vipd running').length, 0, 'nothing started');

  const allowed = new Vipd(cfg, '', ['-n', '--allow-empty']);
  t.teardown(() => allowed.stop());
  await allowed.waitLog((l) => l.msg === 'vipd running', 10_000, 'vipd running');
  allowed.signal('SIGTERM');
  t.equal(await allowed.exited, 0, 'runs and stops cleanly with --allow-empty');
});

t.test('--allow-empty: the reload to an empty config is applied', async (t) => {
  const s = await twoServices(t, { nA: 1, nB: 1, args: ['-n', '--allow-empty'] });
  const mark = s.vipd.lines.length;
  writeFile(s.conf, readFileSync(s.conf, 'utf8').split('[A]')[0]!); // [global] only: the API stays
  s.vipd.signal('SIGHUP');
  await s.vipd.waitLog((x) => x.msg === 'config reloaded', 5_000, 'reloaded', mark);
  // the API worker answers from its copy when the main thread takes over 40 ms (a loaded machine): ask again, bounded
  const read = async (): Promise<unknown> => (await s.vipd.get('/pools')).body;
  const pools = await waitFor('/pools empty', 2_000, async () => { const b = await read(); return Array.isArray(b) && b.length === 0 ? b : false; })
    .catch(read);
  t.same(pools, [], 'both services removed, as asked');
});
