// Issue 13 §4 through the daemon: the health schedule of each service reaches /metrics' snapshot.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { metricsText } from '../../api/metrics.js';
import { takeSnapshot } from '../../api/snapshot.js';
import { DryRunDriver } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import { createPoolSource } from '../../pools/index.js';
import { systemClock } from '../../time/clock.js';
import { waitFor } from '../../../test/lab/proc.js';
import { idleService } from '../../../test/support/daemon-config.js';
import { serviceKey } from '../ipvs-mapping.js';
import { Daemon } from './daemon.js';

t.test('vipd run: each service\'s checks started, late, missed and first round are in the status and on /metrics', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-schedule-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hosts = ['127.0.0.1', '127.0.0.2'];
  const server = net.createServer((s) => { s.on('error', () => {}); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const other = net.createServer((s) => { s.on('error', () => {}); });
  await new Promise<void>((r) => other.listen(port, '127.0.0.2', r));
  t.teardown(() => { server.close(); other.close(); });
  const pool = join(dir, 'pool');
  await writeFile(pool, hosts.map((h) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }`).join('\n') + '\n');
  const conf = join(dir, 'vipd.conf');
  await writeFile(conf, `[global]\n${idleService('web', port, pool)}`);
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000 }),
    ipvs: (owned) => new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger }),
    resolveIntervalMs: 60_000,
  });
  t.teardown(() => d.stop());
  const src = d.statusSource();
  await waitFor('the first round', 5000, async () => src.schedule?.()[0]?.firstRoundMs != null, 20);
  const s = src.schedule!()[0]!;
  t.match(s, { service: 'web', scheduled: 2, missedOverlap: 0, missedTimerLate: 0 });
  t.ok(s.firstRoundMs! >= 0 && s.firstRoundMs! < 5000, `first round ${s.firstRoundMs} ms`);
  const text = metricsText(takeSnapshot(src, null));
  t.match(text, /^vipd_first_round_duration_seconds\{service="web"\} \S+$/m);
  t.match(text, /^vipd_health_checks_missed_total\{reason="timer-late",service="web"\} 0\.0$/m);
  t.match(text, /^vipd_health_check_schedule_lag_seconds_count\{service="web"\} \S+$/m);
});
