// Watching an Etcd2Source from a test: every list, alert, recovery and log line it gives.
import { createLogger } from '../../src/log/logger.js';
import { Etcd2Source, type Etcd2SourceOptions } from '../../src/pools/etcd2-source.js';
import type { PoolServer } from '../../src/pools/types.js';
import { systemClock } from '../../src/time/clock.js';
import { waitFor } from '../lab/proc.js';

export const conftool = (pooled: string, weight = 10): string => JSON.stringify({ weight, pooled });
export const hosts = (s: PoolServer[]): string => s.map((x) => `${x.host}:${x.weight}:${x.enabled ? 'on' : 'off'}`).join(' ');

export function watch2(t: { teardown(f: () => unknown): void }, url: string, o: Partial<Etcd2SourceOptions> = {}) {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const logs: string[] = [];
  let recoveries = 0;
  const logger = createLogger({ json: true, level: 'debug', write: (l) => logs.push(l) });
  const src = new Etcd2Source(url, { clock: systemClock, logger, backoffMinMs: 50, backoffMaxMs: 300, timeoutMs: 2000, ...o });
  src.start((s) => updates.push(s), (a) => alerts.push(a), () => { recoveries++; });
  t.teardown(() => src.stop());
  const latest = (what: string, want: string, ms = 5000) =>
    waitFor(what, ms, async () => updates.length > 0 && hosts(updates[updates.length - 1]!) === want, 10);
  const alerted = (what: string, re: RegExp, ms = 5000) => waitFor(what, ms, async () => alerts.find((a) => re.test(a)), 10);
  return { src, updates, alerts, logs, latest, alerted, recoveries: () => recoveries };
}
