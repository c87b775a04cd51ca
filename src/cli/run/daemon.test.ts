import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DryRunDriver, serviceId } from '../../lvs/index.js';
import { createLogger, silentLogger, type Logger } from '../../log/logger.js';
import { createPoolSource } from '../../pools/index.js';
import { systemClock } from '../../time/clock.js';
import { waitFor } from '../../../test/lab/proc.js';
import { idleService } from '../../../test/support/daemon-config.js';
import { serviceKey } from '../ipvs-mapping.js';
import { Daemon } from './daemon.js';

const service = idleService;

/** vipd run on a real config file and file pools, IPVS through the dry-run driver, no BGP. */
async function start(t: { teardown(f: () => unknown): void }, pool: string, global = '', log: Logger = silentLogger) {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-daemon-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'vipd.conf');
  const write = (services: string) => writeFile(conf, `[global]\n${global}${services}`);
  await write(service('web', 80, pool));
  let driver: DryRunDriver | null = null;
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => (driver = new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger })),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const ids = async () => (await driver!.read()).map((s) => serviceId(s.key)).sort();
  return { d, write, ids, driver: () => driver! };
}

t.test('SIGHUP reload: a service it adds is owned, so a later reload that drops it deletes it from IPVS', async (t) => {
  const pool = join(t.testdir(), 'pool');
  await writeFile(pool, '');
  const { d, write, ids, driver } = await start(t, pool);
  await waitFor('web in IPVS', 2000, async () => (await ids()).length === 1, 20);

  await write(service('web', 80, pool) + service('api', 8080, pool));
  t.ok(await d.reload(), 'reload adding api accepted');
  await waitFor('api in IPVS', 2000, async () => (await ids()).length === 2, 20);
  t.same(await ids(), ['tcp|10.255.7.1|80', 'tcp|10.255.7.1|8080']);

  await write(service('web', 80, pool));
  t.ok(await d.reload(), 'reload dropping api accepted');
  await waitFor('api gone from IPVS', 2000, async () => (await ids()).length === 1, 20);
  t.same(await ids(), ['tcp|10.255.7.1|80'], 'the service added by the first reload left the kernel');
  t.match(driver().batches.at(-1), /-D -t 10\.255\.7\.1:8080/);
});

t.test('a pool alert is cleared when the source recovers, even with an unchanged list', async (t) => {
  const pool = join(t.testdir(), 'pool');
  const list = "{ 'host': 'mw1', 'weight': 10, 'enabled': False }\n";
  await writeFile(pool, list);
  const { d } = await start(t, pool);
  const alerts = () => d.coordinator.status().alerts.filter((a) => a.source === 'pool web');
  await waitFor('the first list', 2000, async () => d.coordinator.status().pools[0]?.servers.length === 1, 20);
  await rm(pool);
  await waitFor('the pool alert', 2000, async () => alerts().length === 1, 20);
  t.match(alerts()[0]?.message, 'cannot read pool: no such file');
  await writeFile(pool, list);
  await waitFor('the alert cleared', 2000, async () => alerts().length === 0, 20);
  t.equal(d.coordinator.status().pools[0]?.servers.length, 1, 'the same list as before');
});

t.test('ipvs-reconcile-interval: drift made by hand is read back and repaired at that interval', async (t) => {
  const pool = join(t.testdir(), 'pool');
  await writeFile(pool, '');
  const { d, ids, driver } = await start(t, pool, 'ipvs-reconcile-interval = 0.5\n');
  await waitFor('web in IPVS', 2000, async () => (await ids()).length === 1, 20);
  await new Promise((r) => setTimeout(r, 600)); // let the start-up applies settle (a pool file is read once stable: 0.2 s)
  driver().replaceTable([]);
  t.same(await ids(), [], 'the service was deleted behind our back');
  await waitFor('web repaired', 3000, async () => (await ids()).length === 1, 20);
  t.ok(d.reconciler.repairs >= 1, `repairs counted (${d.reconciler.repairs})`);
});

t.test('[global] dry-run = yes is `vipd run -n`: the dry-run driver, never ipvsadm', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-daemon-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pool = join(dir, 'pool');
  await writeFile(pool, '');
  const conf = join(dir, 'pybal.conf');
  await writeFile(conf, `[global]\ndry-run = yes\n${service('web', 80, pool)}`);
  const d = await Daemon.start({
    configPath: conf, dryRun: false, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  t.ok(d.driver instanceof DryRunDriver, 'the dry-run driver');
  t.equal(d.statusSource().ipvs?.().driver, 'dry-run');
});

t.test('SIGHUP changing a scheduler: IPVS gets it at once (no pool change needed), the reload log says which service and how', async (t) => {
  const pool = join(t.testdir(), 'pool');
  await writeFile(pool, "{ 'host': '10.255.7.10', 'weight': 10, 'enabled': True }\n");
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', json: true, write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  // A long reconcile interval: only the reload itself can bring the new scheduler in time.
  const { d, write, driver } = await start(t, pool, 'ipvs-reconcile-interval = 3600\n', log);
  const scheduler = async () => (await driver().read()).find((s) => serviceId(s.key) === 'tcp|10.255.7.1|80')?.scheduler;
  const servers = async () => (await driver().read()).find((s) => serviceId(s.key) === 'tcp|10.255.7.1|80')?.realServers.length ?? 0;
  await waitFor('web with its server in IPVS', 3000, async () => (await servers()) === 1, 20);
  t.equal(await scheduler(), 'wrr');
  await new Promise((r) => setTimeout(r, 400)); // let the start-up applies settle
  const batches = driver().batches.length;

  await write(service('web', 80, pool).replace('scheduler = wrr', 'scheduler = wlc'));
  t.ok(await d.reload(), 'reload accepted');
  await waitFor('wlc in IPVS', 1000, async () => (await scheduler()) === 'wlc', 20);
  t.match(driver().batches.slice(batches).join('\n'), /-E -t 10\.255\.7\.1:80 -s wlc/, 'the service was edited in place');
  t.equal(await servers(), 1, 'its server stays');
  const reloaded = lines.find((l) => l.msg === 'config reloaded');
  t.match(reloaded, { changed: 'web (scheduler wrr → wlc)', added: null, removed: null }, 'the reload log names the change');
});

t.test('bgp-first-round-wait: a VIP whose RunCommand check runs every 60 s is decided after the wait, on what is known', async (t) => {
  const pool = join(t.testdir(), 'pool');
  await writeFile(pool, "{ 'host': '10.255.7.10', 'weight': 10, 'enabled': True }\n");
  // A real, slow check: its first result is at least 30 s away whatever the runner's phase.
  const slow = `runcommand.command = /bin/sleep\nruncommand.arguments = [ '30' ]\nruncommand.interval = 60\nruncommand.timeout = 50\n`;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-daemon-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conf = join(dir, 'vipd.conf');
  await writeFile(conf, `[global]\nbgp-nexthop-ipv4 = 192.0.2.10\nbgp-first-round-wait = 1\n`
    + service('web', 80, pool).replace('[ "IdleConnection" ]', '[ "RunCommand" ]') + slow);
  const started = Date.now();
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger }),
  });
  t.teardown(() => d.stop());
  const vip = () => d.coordinator.status().vips[0];
  await waitFor('the pool', 2000, async () => d.coordinator.status().pools[0]?.servers.length === 1, 20);
  t.match(vip()?.reason, /waiting for the first health round of web/, 'waits at first');
  await waitFor('the VIP decided', 5000, async () => vip()?.announced, 20);
  const took = Date.now() - started;
  t.ok(took >= 900 && took < 5000, `announced after the 1 s wait, not the check's minute (${took} ms)`);
  t.match(vip()?.reason, /web serving; first health round of web still running \(bgp-first-round-wait over\)/);
  t.match(d.coordinator.status().pools[0]?.servers[0]?.monitors, [{ name: 'RunCommand', up: null }], 'the check itself has not answered yet');
});

t.test('start builds the speaker without peers and adds those of the start plan', async (t) => {
  const pool = join(t.testdir(), 'pool');
  await writeFile(pool, '');
  // Port 1 on loopback: nothing answers, the session just retries.
  const { d } = await start(t, pool, 'bgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = 127.0.0.1\nbgp-peer-as = 64601\n'
    + 'bgp-local-address = 127.0.0.1\nbgp-local-port = 1\nbgp-nexthop-ipv4 = 192.0.2.10\n');
  const st = d.speaker!.status();
  t.equal(st.routerId, '192.0.2.10');
  t.same(st.peers.map((p) => p.peer), ['127.0.0.1'], 'the peer of the config');
});
