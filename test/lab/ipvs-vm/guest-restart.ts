// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts after the adoption scenario:
// issue 14 §1 "the IPVS table is unchanged" across planned restarts, on a real kernel. `vipd run`
// in-process with graceful restart on (a BGP peer that never answers: only the stop's kind and the
// restart marker matter here) and the real ipvsadm behind a wrapper first on PATH that records
// every call and every `-R` batch. Each planned stop (SIGTERM's path) and each start must leave
// `ipvsadm -Sn` exactly as it was, and no batch may delete anything.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../../src/cli/run/daemon.js';
import { createPoolSource } from '../../../src/pools/create.js';
import { secondsToMillis, systemClock } from '../../../src/time/clock.js';
import type { GuestTools, StepResult } from './guest-daemon.js';
import { until } from './guest-backends.js';

/** Planned restarts under TCG: a start costs ~2–3 s of guest time, so 3 keep the scenario near 15 s. */
export const GUEST_RESTARTS = 3;

const WRAPPER = (dir: string) => `#!/bin/sh
echo "$*" >> ${dir}/calls
if [ "$1" = "-R" ]; then tee -a ${dir}/batches | /usr/sbin/ipvsadm -R; exit $?; fi
exec /usr/sbin/ipvsadm "$@"
`;

const pool = (hosts: [string, number][]) => hosts.map(([h, w]) => `{ 'host': '${h}', 'weight': ${w}, 'enabled': True }\n`).join('');
const service = (name: string, ip: string, port: number, file: string) =>
  `[${name}]\nprotocol = tcp\nip = ${ip}\nport = ${port}\nscheduler = wrr\nconfig = file://${file}\n\n`;
const GLOBAL = ['[global]', 'bgp = yes', 'bgp-local-asn = 64600', 'bgp-peer-address = [ "10.255.7.254" ]', 'bgp-peer-as = 64601',
  'bgp-nexthop-ipv4 = 10.255.7.1', 'bgp-graceful-restart = yes', 'ipvs-reconcile-interval = 600', '', ''].join('\n');
const WANT = [
  '-A -t 10.255.7.1:80 -s wrr', '-a -t 10.255.7.1:80 -r 10.255.7.10:80 -g -w 10', '-a -t 10.255.7.1:80 -r 10.255.7.11:80 -g -w 20',
  '-A -t 10.255.7.2:443 -s wrr', '-a -t 10.255.7.2:443 -r 10.255.7.20:443 -g -w 5',
];

export async function restartScenario(tools: GuestTools): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-guest-restart-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ipvsadm'), WRAPPER(dir));
  chmodSync(join(bin, 'ipvsadm'), 0o755);
  writeFileSync(join(dir, 'web.pools'), pool([['10.255.7.10', 10], ['10.255.7.11', 20]]));
  writeFileSync(join(dir, 'api.pools'), pool([['10.255.7.20', 5]]));
  const conf = join(dir, 'vipd.conf');
  writeFileSync(conf, GLOBAL + service('web', '10.255.7.1', 80, join(dir, 'web.pools')) + service('api', '10.255.7.2', 443, join(dir, 'api.pools')));
  await tools.byHand('-C');
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  const read = (f: string) => { try { return readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean); } catch { return []; } };
  const start = () => Daemon.start({
    configPath: conf, dryRun: false, stateDir: dir, clock: systemClock, log: tools.logger.child({ scenario: 'restart' }),
    poolSource: (svc, l) => createPoolSource(svc.pool, { clock: systemClock, logger: l, intervalMs: secondsToMillis(svc.poolInterval) }),
  });
  const results: StepResult[] = [];
  let d: Daemon | null = null;
  try {
    d = await start();
    const built = await until('the table built', 20_000, async () => tools.same(await tools.saved(), WANT));
    results.push({ name: 'vipd run: graceful restart on: the table built', ok: !built.problem, detail: built.problem || `ok in ${built.ms} ms` });
    if (built.problem) return results;
    const marker = () => { try { return (JSON.parse(readFileSync(join(dir, 'bgp-graceful-restart'), 'utf8')) as { state: string }).state; } catch { return 'none'; } };
    let problem = '';
    const t0 = Date.now();
    let batches = 0;
    for (let i = 0; i < GUEST_RESTARTS && !problem; i++) {
      const before = await tools.saved();
      const [calls0, lines0] = [read('calls').length, read('batches').length];
      await d.stop('vipd shutting down (SIGTERM)', 'planned');
      d = null;
      problem += tools.same(marker(), 'planned-stop') + tools.same(await tools.saved(), before);
      d = await start();
      // settled: the start read the table (-Sn) and had a reconcile's worth of time to act
      const settled = await until('the new vipd read the table', 20_000, async () => (read('calls').slice(calls0).includes('-Sn') ? '' : 'no -Sn yet'));
      await new Promise((r) => setTimeout(r, 3000));
      const sent = read('batches').slice(lines0);
      batches += read('calls').slice(calls0).filter((c) => c.startsWith('-R')).length;
      const deletes = sent.filter((l) => /^-[dD] /.test(l));
      problem += settled.problem + tools.same(await tools.saved(), before) + (deletes.length ? `restart ${i + 1}: a batch deleted ${JSON.stringify(deletes)}\n` : '');
      if (problem) problem = `restart ${i + 1}: ${problem}`;
    }
    results.push({
      name: `vipd run: ${GUEST_RESTARTS} planned restarts with graceful restart: ipvsadm -Sn identical before and after each, no batch deletes`,
      ok: !problem, detail: problem || `ok, ${GUEST_RESTARTS} restarts in ${Date.now() - t0} ms, ${batches} batches sent by the restarts (none deleting)`,
    });
  } catch (e) {
    results.push({ name: 'vipd run: graceful restart scenario', ok: false, detail: e instanceof Error ? e.message : String(e) });
  } finally {
    await d?.stop('vipd shutting down (SIGUSR1)', 'full');
    process.env.PATH = path;
  }
  return results;
}
