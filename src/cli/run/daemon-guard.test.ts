import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DryRunDriver } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import { createPoolSource } from '../../pools/index.js';
import { systemClock } from '../../time/clock.js';
import { waitFor } from '../../../test/lab/proc.js';
import { idleService } from '../../../test/support/daemon-config.js';
import { serviceKey } from '../ipvs-mapping.js';
import { ConfigError, Daemon } from './daemon.js';

// Issue 11 in the daemon: the removal hold and its confirmation, and configs without services.
const service = idleService;
const lines = (n: number) => Array.from({ length: n }, (_, i) => `{ 'host': '10.255.7.${10 + i}', 'weight': 10, 'enabled': True }`).join('\n') + '\n';

async function start(t: { teardown(f: () => unknown): void }, text: string, allowEmpty = false) {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-guard-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'vipd.conf');
  await writeFile(conf, text);
  let driver: DryRunDriver | null = null;
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger, allowEmpty,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => (driver = new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger })),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const servers = (name: string) => d.coordinator.status().pools.find((p) => p.name === name)?.servers.map((s) => s.host) ?? [];
  return { d, conf, driver: () => driver!, servers };
}

t.test('confirmPoolRemoval: a held removal applies at once; the API source exposes it', async (t) => {
  const pool = join(t.testdir(), 'web');
  await writeFile(pool, lines(4));
  const { d, servers } = await start(t, `[global]\n${service('web', 80, pool)}`);
  await waitFor('four servers', 3000, async () => servers('web').length === 4, 20);
  t.same(d.confirmPoolRemoval('web'), { ok: false, message: 'no pool update of web is held' });
  await writeFile(pool, lines(1));
  await waitFor('the hold alert', 3000, async () => d.coordinator.status().alerts.find((a) => a.source === 'pool-guard web'), 20);
  t.equal(servers('web').length, 4, 'held: nothing removed');
  const r = d.statusSource().actions!.confirmPoolRemoval('web');
  t.same(r, { ok: true, message: 'held pool update of web applied: 3 servers removed' });
  await waitFor('applied', 3000, async () => servers('web').length === 1, 20);
  t.equal(d.coordinator.status().alerts.find((a) => a.source === 'pool-guard web'), undefined, 'alert cleared');
  t.same(d.confirmPoolRemoval('nope'), { ok: false, message: "no service 'nope'" });
});

t.test('an empty config with bgp = no is refused at start, unless allowEmpty', async (t) => {
  const e = await start(t, '').then(() => null, (x: unknown) => x);
  t.ok(e instanceof ConfigError, 'a ConfigError: `vipd run` exits 1 with it');
  await t.rejects(start(t, '[global]\nbgp = no\n'), { message: /has no services and bgp = no: vipd would do nothing; an empty or truncated file\? Start vipd with --allow-empty/ });
  const { d } = await start(t, '', true);
  t.same(d.coordinator.status().pools, [], 'runs without services when allowed');
});

t.test('a reload that removes every service is refused with an alert; allowEmpty lets it through', async (t) => {
  const pool = join(t.testdir(), 'web');
  await writeFile(pool, lines(2));
  const { d, conf, servers } = await start(t, `[global]\n${service('web', 80, pool)}${service('api', 81, pool)}`);
  await waitFor('both pools', 3000, async () => servers('web').length === 2 && servers('api').length === 2, 20);
  await writeFile(conf, '[global]\n');
  t.equal(await d.reload(), false, 'refused');
  t.match(d.coordinator.status().alerts.find((a) => a.source === 'config')?.message, /has no services: it would remove all 2 running \(web, api\)/);
  t.same(d.coordinator.status().pools.map((p) => p.name), ['web', 'api'], 'the previous config keeps running');
  t.equal(d.config.services.length, 2);

  const allowed = await start(t, `[global]\n${service('web', 80, pool)}`, true);
  await writeFile(allowed.conf, '');
  t.equal(await allowed.d.reload(), true, 'allowed with allowEmpty');
  t.same(allowed.d.coordinator.status().pools, []);
});
