// A real coordinator with one service of `hosts`, its check metrics and the API's keyed reading:
// what the API delta test and bench/api-delta.ts measure (issue 13). No sockets, a FakeClock.
import type { BgpStatus, KeyedStatus, StatusSource } from '../../src/api/types.js';
import { ChangeTracker, changeMarks, keyedStatus } from '../../src/cli/run/api-keyed.js';
import { Coordinator } from '../../src/coordinator/coordinator.js';
import { CheckMetrics } from '../../src/health/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { FakeClock } from './fake-clock.js';
import { recordingIpvs } from './recording-ipvs.js';

export const NO_BGP: BgpStatus = { enabled: false, localAs: null, peers: [] };

export interface KeyedRig { clock: FakeClock; changes: ChangeTracker; checks: CheckMetrics; c: Coordinator; src: StatusSource; keyed: KeyedStatus }

export async function keyedRig(service: string, ip: string, hosts: string[]): Promise<KeyedRig> {
  const clock = new FakeClock();
  const changes = new ChangeTracker();
  const checks = new CheckMetrics();
  const c = new Coordinator({
    clock, log: silentLogger, ipvs: recordingIpvs().port, changed: changeMarks(changes), health: { start: () => {}, stop: () => {} },
    resolver: async () => { throw new Error('NXDOMAIN'); }, resolveIntervalMs: 0,
  });
  c.configure([{ name: service, ip, port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['ProxyFetch'], bgp: false }],
    { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 });
  await c.updatePool(service, hosts.map((host) => ({ host, weight: 10, enabled: true })));
  const src: StatusSource = { coordinator: () => c.status(), bgp: () => NO_BGP, startedAt: 0, now: () => 0 };
  return { clock, changes, checks, c, src, keyed: keyedStatus(changes, c, checks, () => NO_BGP) };
}
