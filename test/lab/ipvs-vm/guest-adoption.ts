// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts after the daemon scenario:
// issue 11 "IPVS adoption is all or nothing" on a real kernel. `vipd run` in-process with the real
// ipvsadm driver, behind a wrapper first on PATH that fails the first 5 `ipvsadm -Sn` as ENOMEM
// does and passes every other call to the real /usr/sbin/ipvsadm; then a batch that dies half-way
// (the wrapper gives the kernel only its first line). Checks read the kernel's own table.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../../src/cli/run/daemon.js';
import { createPoolSource } from '../../../src/pools/create.js';
import { secondsToMillis, systemClock } from '../../../src/time/clock.js';
import type { GuestTools, StepResult } from './guest-daemon.js';
import { until } from './guest-backends.js';

const WEB = ['-A -t 10.255.5.1:80 -s wrr', '-a -t 10.255.5.1:80 -r 10.255.5.10:80 -g -w 10', '-a -t 10.255.5.1:80 -r 10.255.5.11:80 -g -w 10'];
const API = ['-A -t 10.255.5.2:443 -s wrr', '-a -t 10.255.5.2:443 -r 10.255.5.20:443 -g -w 10', '-a -t 10.255.5.2:443 -r 10.255.5.21:443 -g -w 10'];
const FOREIGN = ['-A -t 10.255.9.9:80 -s rr', '-a -t 10.255.9.9:80 -r 10.255.9.10:80 -g -w 1'];

/** The wrapper: `fail-sn` holds how many -Sn still fail, `cut-r` how many lines the next -R keeps. */
const WRAPPER = (dir: string) => `#!/bin/sh
echo "$*" >> ${dir}/calls
n=$(cat ${dir}/fail-sn 2>/dev/null || echo 0)
if [ "$1" = "-Sn" ] && [ "$n" -gt 0 ]; then echo $((n - 1)) > ${dir}/fail-sn; echo "Memory allocation problem" >&2; exit 2; fi
cut=$(cat ${dir}/cut-r 2>/dev/null || echo 0)
if [ "$1" = "-R" ] && [ "$cut" -gt 0 ]; then
  rm -f ${dir}/cut-r; head -n "$cut" | /usr/sbin/ipvsadm -R; echo "Memory allocation problem" >&2; exit 2
fi
exec /usr/sbin/ipvsadm "$@"
`;

const pool = (hosts: string[]) => hosts.map((h) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }\n`).join('');
/** Failed reads before one succeeds: 0.5 + 1 + 2 + 4 s of backoff, longer than the start under TCG. */
const FAILS = 5;
const service = (name: string, ip: string, port: number, file: string) =>
  `[${name}]\nprotocol = tcp\nip = ${ip}\nport = ${port}\nscheduler = wrr\nconfig = file://${file}\n\n`;

export async function adoptionScenario(tools: GuestTools): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-guest-adopt-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ipvsadm'), WRAPPER(dir));
  chmodSync(join(bin, 'ipvsadm'), 0o755);
  writeFileSync(join(dir, 'fail-sn'), `${FAILS}\n`);
  const webPool = join(dir, 'web.pools');
  writeFileSync(webPool, pool(['10.255.5.10', '10.255.5.11', '10.255.5.12']));
  const conf = join(dir, 'vipd.conf');
  // api's pool file is missing: its realservers are only what the kernel held at start.
  writeFileSync(conf, `[global]\nbgp = no\nipvs-reconcile-interval = 600\n\n${service('web', '10.255.5.1', 80, webPool)}`
    + service('api', '10.255.5.2', 443, join(dir, 'missing.pools')));
  await tools.byHand('-C');
  await tools.byHand(...WEB, ...API, ...FOREIGN);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  const results: StepResult[] = [];
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean);
  const has = (want: string[]) => async () => {
    const now = await tools.saved();
    const missing = want.filter((l) => !now.includes(l));
    return missing.length ? `missing ${JSON.stringify(missing)} in ${JSON.stringify(now)}` : '';
  };
  let d: Daemon | null = null;
  try {
    d = await Daemon.start({
      configPath: conf, dryRun: false, stateDir: dir, clock: systemClock, log: tools.logger.child({ scenario: 'adoption' }),
      poolSource: (svc, l) => createPoolSource(svc.pool, { clock: systemClock, logger: l, intervalMs: secondsToMillis(svc.poolInterval) }),
    });
    const daemon = d;
    const alert = daemon.coordinator.status().alerts.find((a) => a.source === 'ipvs');
    let problem = tools.same(alert?.level, 'critical')
      + (alert?.message.includes('IPVS table unreadable') && alert.message.includes('Memory allocation problem') ? '' : `alert: ${alert?.message}\n`);
    const added = await until('web gets 10.255.5.12', 30_000, has(['-a -t 10.255.5.1:80 -r 10.255.5.12:80 -g -w 10']));
    problem += added.problem;
    const log = calls();
    const firstR = log.findIndex((c) => c.startsWith('-R'));
    const sn = log.map((c, i) => [c, i] as const).filter(([c]) => c === '-Sn');
    if (!(firstR > (sn[FAILS]?.[1] ?? Infinity))) problem += `a batch before the first successful read: ${JSON.stringify(log)}\n`;
    problem += (await has([...WEB, ...API, ...FOREIGN])()) + tools.same(daemon.coordinator.status().alerts.some((a) => a.source === 'ipvs'), false);
    results.push({ name: 'vipd run: unreadable table at start: no batch until read, every service intact', ok: !problem, detail: problem || `ok in ${added.ms} ms` });

    // A batch cut after its first line: the kernel takes one, the rest comes from a read-back and a retry.
    writeFileSync(join(dir, 'cut-r'), '1\n');
    const from = calls().length;
    writeFileSync(webPool, pool(['10.255.5.10', '10.255.5.11', '10.255.5.12', '10.255.5.13', '10.255.5.14']));
    // Under TCG each ipvsadm call through the wrapper takes ~1 s: cut batch, read-back, 1 s wait, retry, verify.
    const both = await until('web gets .13 and .14', 45_000, has([
      '-a -t 10.255.5.1:80 -r 10.255.5.13:80 -g -w 10', '-a -t 10.255.5.1:80 -r 10.255.5.14:80 -g -w 10']));
    const after = calls().slice(from);
    const cut = after.findIndex((c) => c.startsWith('-R'));
    problem = both.problem + tools.same(after[cut + 1], '-Sn') + (await has([...WEB, ...API, ...FOREIGN])());
    results.push({ name: 'vipd run: a batch cut half-way: read back, the rest retried, nothing else moved', ok: !problem, detail: problem || `ok in ${both.ms} ms` });
  } catch (e) {
    results.push({ name: 'vipd run: adoption scenario', ok: false, detail: e instanceof Error ? e.message : String(e) });
  } finally {
    await d?.stop();
    process.env.PATH = path;
  }
  return results;
}
