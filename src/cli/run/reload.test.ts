import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DryRunDriver, serviceId } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import { createPoolSource } from '../../pools/index.js';
import { systemClock } from '../../time/clock.js';
import { serviceKey } from '../ipvs-mapping.js';
import { Daemon } from './daemon.js';

const service = (name: string, port: number, pool: string) => `[${name}]
protocol = tcp
ip = 10.255.7.1
port = ${port}
scheduler = wrr
config = file://${pool}
monitors = [ "IdleConnection" ]
`;

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

t.test('SIGHUP reload: a service it adds is owned, so a later reload that drops it deletes it from IPVS', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-reload-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pool = join(dir, 'pool');
  await writeFile(pool, '');
  const conf = join(dir, 'vipd.conf');
  await writeFile(conf, `[global]\n${service('web', 80, pool)}`);
  let driver: DryRunDriver | null = null;
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => (driver = new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger })),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const ids = async () => (await driver!.read()).map((s) => serviceId(s.key)).sort();
  await until('web in IPVS', async () => (await ids()).length === 1);

  await writeFile(conf, `[global]\n${service('web', 80, pool)}${service('api', 8080, pool)}`);
  t.ok(await d.reload(), 'reload adding api accepted');
  await until('api in IPVS', async () => (await ids()).length === 2);
  t.same(await ids(), ['tcp|10.255.7.1|80', 'tcp|10.255.7.1|8080']);

  await writeFile(conf, `[global]\n${service('web', 80, pool)}`);
  t.ok(await d.reload(), 'reload dropping api accepted');
  await until('api gone from IPVS', async () => (await ids()).length === 1);
  t.same(await ids(), ['tcp|10.255.7.1|80'], 'the service added by the first reload left the kernel');
  t.match(driver!.batches.at(-1), /-D -t 10\.255\.7\.1:8080/);
});
