// `vipd run` in-process (dry-run driver, real TCP backends for IdleConnection): the counters read
// every ipvs-stats-interval reach /metrics, /pools and the alerts; blackhole-action = depool goes
// through the coordinator and its depool threshold, and is undone when the pattern clears.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { metricsText } from '../../api/metrics.js';
import { takeSnapshot } from '../../api/snapshot.js';
import { route } from '../../api/handler.js';
import { DryRunDriver, type IpvsTable, type ServiceCounters } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import { createPoolSource } from '../../pools/index.js';
import { systemClock } from '../../time/clock.js';
import { waitFor } from '../../../test/lab/proc.js';
import { idleService } from '../../../test/support/daemon-config.js';
import { formatStatus } from '../commands/status.js';
import { serviceKey } from '../ipvs-mapping.js';
import { Daemon } from './daemon.js';

const PORT = 18_716;
const HOSTS = ['127.0.7.11', '127.0.7.12', '127.0.7.13'];
type Counts = Record<string, [number, number]>; // address → [active, inactive]

async function backend(host: string): Promise<Server> {
  const socks = new Set<Socket>();
  const s = createServer((c) => { socks.add(c); c.on('error', () => {}); c.on('close', () => socks.delete(c)); });
  await new Promise<void>((ok, fail) => { s.once('error', fail); s.listen(PORT, host, ok); });
  s.on('close', () => { for (const c of socks) c.destroy(); });
  return s;
}

async function start(t: { teardown(f: () => unknown): void }, extra: string) {
  const servers = await Promise.all(HOSTS.map(backend));
  t.teardown(() => { for (const s of servers) s.close(); for (const s of servers) s.emit('close'); });
  const dir = await mkdtemp(join(tmpdir(), 'vipd-stats-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const pool = join(dir, 'pool');
  await writeFile(pool, HOSTS.map((h) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }\n`).join(''));
  const conf = join(dir, 'vipd.conf');
  await writeFile(conf, `[global]\nipvs-stats-interval = 0.2\nblackhole-window = 1\n${idleService('web', PORT, pool, extra)}`);
  let counts: Counts = {};
  let driver: DryRunDriver | null = null;
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => {
      driver = new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger });
      driver.fakeCounters = (table: IpvsTable): ServiceCounters[] => table.map((s) => ({
        key: s.key,
        servers: s.realServers.map((r) => {
          const [active, inactive] = counts[r.address] ?? [0, 0];
          return { address: r.address, port: r.port, weight: r.weight, active, inactive, cps: 0, inBps: 0, outBps: 0 };
        }),
      }));
      return driver;
    },
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const inKernel = async () => (await driver!.read())[0]?.realServers.map((r) => r.address).sort() ?? [];
  await waitFor('all three pooled', 5000, async () => (await inKernel()).length === 3, 20);
  const snap = () => takeSnapshot(d.statusSource(), null);
  const reconfigure = async (more: string) => {
    await writeFile(conf, `[global]\nipvs-stats-interval = 0.2\nblackhole-window = 1\n${idleService('web', PORT, pool, more)}`);
    return d.reload();
  };
  return { d, inKernel, snap, set: (c: Counts) => { counts = c; }, reconfigure };
}

const SEED: Counts = { '127.0.7.11': [25, 5], '127.0.7.12': [25, 5], '127.0.7.13': [0, 40] };
const HEALED: Counts = { '127.0.7.11': [20, 5], '127.0.7.12': [20, 5], '127.0.7.13': [20, 5] };
const WORDING = 'web: 127.0.7.13 looks black-holed: 0 active / 40 inactive, peers 25 active / 5 inactive';

t.test('alert (default): counters on /metrics and /pools, a warning naming the server, nothing depooled', async (t) => {
  const { d, inKernel, snap, set } = await start(t, '');
  await waitFor('a read of the three', 3000, async () => snap().counters?.servers.length === 3, 20);
  let m = metricsText(snap());
  t.match(m, 'vipd_realserver_active_connections{server="127.0.7.11",service="web"} 0.0', 'the dry run reads zeros');
  t.match(m, 'vipd_realserver_weight{server="127.0.7.13",service="web"} 10.0');
  set(SEED);
  await waitFor('the black-hole warning', 5000, async () => d.coordinator.alertSummary().status === 'warning', 20);
  t.equal(d.coordinator.alertSummary().msg, `blackhole: ${WORDING}. `);
  m = metricsText(snap());
  t.match(m, 'vipd_realserver_active_connections{server="127.0.7.11",service="web"} 25.0');
  t.match(m, 'vipd_realserver_inactive_connections{server="127.0.7.13",service="web"} 40.0');
  t.match(m, 'vipd_realserver_blackholed{server="127.0.7.13",service="web"} 1.0');
  t.match(m, 'vipd_realserver_blackholed{server="127.0.7.12",service="web"} 0.0');
  t.match(m, /vipd_realserver_connections_per_second\{server="127\.0\.7\.13",service="web"\} 0\.0/);
  const pools = route('/pools/web', snap())!.json as Record<string, { ipvs?: unknown }>;
  t.same(pools['127.0.7.13']?.ipvs, { weight: 10, active: 0, inactive: 40, connectionsPerSecond: 0, blackholed: true });
  t.same(await inKernel(), HOSTS, 'alert only: still pooled');
  set(HEALED);
  await waitFor('the warning cleared', 3000, async () => d.coordinator.alertSummary().status === 'ok', 20);
});

t.test('depool: through the coordinator (down reason in /pools and vipd status), back when it clears', async (t) => {
  const { d, inKernel, snap, set } = await start(t, 'blackhole-action = depool\n');
  set(SEED);
  await waitFor('.13 depooled', 5000, async () => !(await inKernel()).includes('127.0.7.13'), 20);
  const pools = route('/pools/web', snap())!.json as Record<string, { reason?: string; up: boolean }>;
  t.equal(pools['127.0.7.13']?.reason, WORDING, 'the evidence is the down reason');
  const text = formatStatus({
    alerts: d.coordinator.alertSummary(), pools: [{ name: 'web', servers: pools as never }], vips: [], bgpText: '',
  });
  t.match(text, `127.0.7.13 down: ${WORDING}`);
  set(HEALED);
  await waitFor('.13 back after its hold', 5000, async () => (await inKernel()).includes('127.0.7.13'), 20);
  t.equal(d.coordinator.status().pools[0]?.servers.find((s) => s.host === '127.0.7.13')?.up, true);
});

t.test('depool respects the depool threshold: the second black-holed server stays pooled, marked down', async (t) => {
  const { d, inKernel, set } = await start(t, 'blackhole-action = depool\ndepool-threshold = .5\n');
  set({ '127.0.7.11': [25, 5], '127.0.7.12': [0, 40], '127.0.7.13': [0, 40] });
  // the hold is one window (1 s): seen together, before the depooled one comes back on probation
  await waitFor('one depooled, one pooled-but-down', 5000, async () =>
    d.coordinator.status().pools[0]?.pooledDown.length === 1 && (await inKernel()).length === 2, 10);
  t.match(d.coordinator.alertSummary(), { status: 'critical', msg: /web: Servers 127\.0\.7\.1[23] are marked down but pooled/ });
});

t.test('a reload from alert to depool keeps the readings: the standing verdict depools within a read or two', async (t) => {
  const { d, inKernel, set, reconfigure } = await start(t, '');
  set(SEED);
  await waitFor('the black-hole warning', 5000, async () => d.coordinator.alertSummary().status === 'warning', 20);
  const reads = d.stats!.lastRead.reads;
  t.ok(await reconfigure('blackhole-action = depool\n'), 'reloaded');
  await waitFor('.13 depooled', 5000, async () => !(await inKernel()).includes('127.0.7.13'), 20);
  const after = d.stats!.lastRead.reads - reads;
  t.ok(after <= 3, `depooled after ${after} reads since the reload (the history was kept: no new window to wait)`);
});
