// Runs INSIDE the IPVS guest (see ipvs-kernel.test.ts): the core real-kernel scenarios in one boot
// (the site-level ones in namespaces boot on their own: guest-site.ts).
// Usage: node guest-scenarios.js RESULTS.json — writes [{ name, ok, detail }] for the host test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFromConfig } from '../../../src/cli/ipvs-plan.js';
import { commandRunner } from '../../../src/process/command-runner.js';
import { systemClock, millis } from '../../../src/time/clock.js';
import {
  IpvsadmDriver, IpvsError, IpvsReconciler, realServer,
  type IpvsTable, type RealServer, type ServiceKey, type VirtualService,
} from '../../../src/lvs/index.js';
import { byHand, finish, ipvsadm, lines, logger, progress, results, runModules, same, saved } from './guest-run.js';

const driver = (owned: ServiceKey[]): IpvsadmDriver => new IpvsadmDriver({ runner: commandRunner, owned, logger });

const tcp = (address: string, port: number): ServiceKey => ({ protocol: 'tcp', address, port });
function svc(key: ServiceKey, servers: RealServer[], extra: Partial<VirtualService> = {}): VirtualService {
  return { key, scheduler: 'wlc', flags: [], ops: false, realServers: servers, ...extra };
}
const rs = (address: string, port: number, weight: number, more: Partial<RealServer> = {}): RealServer =>
  realServer({ address, port, weight, ...more });

/** Each scenario starts from a table holding exactly `setup` (the guest's table is ours). */
async function scenario(name: string, setup: string[], body: () => Promise<string>): Promise<void> {
  const t0 = Date.now();
  try {
    await byHand('-C', ...setup);
    const problem = await body();
    results.push({ name, ok: problem === '', detail: problem || `ok in ${Date.now() - t0} ms` });
  } catch (e) {
    results.push({ name, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
  progress();
}

async function expectError(kind: string, act: () => Promise<unknown>): Promise<string> {
  try {
    await act();
    return `expected an IpvsError ${kind}, got success`;
  } catch (e) {
    if (e instanceof IpvsError && e.kind === kind) return '';
    return `expected IpvsError ${kind}, got ${e instanceof IpvsError ? e.kind : ''} ${String(e)}`;
  }
}

const A = tcp('10.255.1.1', 80);
const WEB = ['-A -t 10.255.1.1:80 -s wlc', '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -w 10', '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -w 10'];
const web: IpvsTable = [svc(A, [rs('10.255.1.10', 80, 10), rs('10.255.1.11', 80, 10)])];

await scenario('apply to an empty table', [], async () => {
  const r = await driver([A]).apply(web);
  return same(r.commands.length, 3) + same(await saved(), [
    '-A -t 10.255.1.1:80 -s wlc',
    '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 10',
    '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 10',
  ]);
});

await scenario('adopt an existing table without recreating services, leave foreign ones alone', [
  '-A -t 10.255.1.1:80 -s wlc',
  '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -w 10',
  '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -w 7',
  '-A -t 10.255.9.9:80 -s rr',
  '-a -t 10.255.9.9:80 -r 10.255.9.10:80 -w 1',
], async () => {
  const r = await driver([A]).apply([svc(A, [rs('10.255.1.10', 80, 10), rs('10.255.1.11', 80, 10), rs('10.255.1.12', 80, 5)])]);
  return same(r.batch.split('\n').filter(Boolean), [
    '-a -t 10.255.1.1:80 -r 10.255.1.12:80 -g -w 5',
    '-e -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 10 -x 0 -y 0',
  ]) + same(await saved(), [
    '-A -t 10.255.1.1:80 -s wlc',
    '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 10',
    '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 10',
    '-a -t 10.255.1.1:80 -r 10.255.1.12:80 -g -w 5',
    '-A -t 10.255.9.9:80 -s rr',
    '-a -t 10.255.9.9:80 -r 10.255.9.10:80 -g -w 1',
  ]);
});

await scenario('drift repair by the periodic reconcile, counted', [], async () => {
  const rec = new IpvsReconciler({ ipvs: driver([A]), clock: systemClock, logger, intervalMs: millis(300) });
  const first = await rec.setDesired(web);
  if (!first.ok) return `first apply failed: ${first.error.message}`;
  const before = await saved();
  await byHand(
    '-d -t 10.255.1.1:80 -r 10.255.1.10:80',
    '-e -t 10.255.1.1:80 -r 10.255.1.11:80 -w 3',
    '-a -t 10.255.1.1:80 -r 10.255.1.99:80 -w 1',
  );
  rec.start();
  for (let i = 0; i < 100 && rec.repairs < 3; i++) await new Promise((ok) => setTimeout(ok, 100));
  rec.stop();
  const logged = lines.filter((l) => l.includes('repaired IPVS drift')).length;
  return same(rec.repairs, 3) + same(logged, 3) + same(await saved(), before);
});

await scenario('IPv6 service with persistence and masquerading', [], async () => {
  const key = tcp('fd00:255::1', 443);
  await driver([key]).apply([svc(key, [rs('fd00:255::10', 8443, 2, { forwarding: 'masq' }), rs('fd00:255::11', 8443, 0, { forwarding: 'masq' })],
    { scheduler: 'wrr', persistence: { timeout: 60, netmask: '64' } })]);
  return same(await saved(), [
    '-A -t [fd00:255::1]:443 -s wrr -p 60 -M 64',
    '-a -t [fd00:255::1]:443 -r [fd00:255::10]:8443 -m -w 2',
    '-a -t [fd00:255::1]:443 -r [fd00:255::11]:8443 -m -w 0',
  ]);
});

await scenario('udp service with one-packet scheduling and scheduler flags', [], async () => {
  const key: ServiceKey = { protocol: 'udp', address: '10.255.2.1', port: 53 };
  await driver([key]).apply([svc(key, [rs('10.255.2.10', 53, 1)], { scheduler: 'sh', ops: true, flags: ['sh-port'] })]);
  return same(await saved(), ['-A -u 10.255.2.1:53 -s sh -o -b sh-port', '-a -u 10.255.2.1:53 -r 10.255.2.10:53 -g -w 1']);
});

await scenario('fwmark services, IPv4 and IPv6', [], async () => {
  const f4: ServiceKey = { protocol: 'fwmark', mark: 7, family: 'inet' };
  const f6: ServiceKey = { protocol: 'fwmark', mark: 8, family: 'inet6' };
  await driver([f4, f6]).apply([
    svc(f4, [rs('10.255.3.10', 0, 1), rs('10.255.3.11', 0, 2, { forwarding: 'tunnel' })], { scheduler: 'lc' }),
    svc(f6, [rs('fd00:255::30', 0, 4)], { scheduler: 'mh', flags: ['mh-port', 'mh-fallback'] }),
  ]);
  return same(await saved(), [
    '-A -f 7 -s lc',
    '-a -f 7 -r 10.255.3.10:0 -g -w 1',
    '-a -f 7 -r 10.255.3.11:0 -i -w 2 --tun-type ipip',
    '-A -f 8 -6 -s mh -b mh-fallback,mh-port',
    '-a -f 8 -6 -r [fd00:255::30]:0 -g -w 4',
  ]);
});

await scenario('drain with weight 0 keeps the server at weight 0', WEB, async () => {
  const d = driver([A]);
  const r = await d.apply([svc(A, [rs('10.255.1.10', 80, 0), rs('10.255.1.11', 80, 10)])]);
  const again = await d.apply([svc(A, [rs('10.255.1.10', 80, 0), rs('10.255.1.11', 80, 10)])]);
  return same(r.batch, '-e -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 0 -x 0 -y 0\n') + same(again.commands.length, 0)
    + same((await saved())[1], '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 0');
});

await scenario('service edit, thresholds read back', [], async () => {
  const d = driver([A]);
  await d.apply([svc(A, [rs('10.255.1.10', 80, 1)], { scheduler: 'rr', persistence: { timeout: 300 } })]);
  await d.apply([svc(A, [rs('10.255.1.10', 80, 1, { upperThreshold: 100, lowerThreshold: 50 })], { scheduler: 'lc' })]);
  const table = await d.read();
  const r = table[0]?.realServers[0];
  return same(await saved(), ['-A -t 10.255.1.1:80 -s lc', '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 1'])
    + same([r?.upperThreshold, r?.lowerThreshold], [100, 50]);
});

await scenario('error: nonexistent realserver', WEB, async () => {
  return expectError('no-such-destination', () => driver([A]).execute([
    { op: 'delete-server', key: A, server: rs('10.255.1.99', 80, 1) },
  ]));
});

await scenario('error: duplicate service in the middle of a batch (ipvsadm exits 0)', WEB, async () => {
  const B = tcp('10.255.1.2', 80);
  const problem = await expectError('service-exists', () => driver([A, B]).execute([
    { op: 'add-service', service: svc(A, []) },
    { op: 'add-service', service: svc(B, []) },
  ]));
  return problem + same((await saved()).includes('-A -t 10.255.1.2:80 -s wlc'), true);
});

await scenario('error: bad scheduler', [], async () => {
  const bad = { ...svc(A, []), scheduler: 'nosuch' } as unknown as VirtualService;
  return (await expectError('bad-scheduler', () => driver([A]).apply([bad]))) + same(await saved(), []);
});

await scenario('error: weight rejected by ipvsadm itself', [], async () => {
  return expectError('invalid-argument', () => driver([A]).apply([svc(A, [rs('10.255.1.10', 80, -1)])]));
});

await scenario('stats of every service', WEB, async () => {
  const stats = await driver([A]).stats();
  return same(stats.map((s) => [s.key, s.servers.length, s.totals.conns]), [[A, 2, 0]]);
});

await scenario('pybal.conf as puppet renders it: mh with flags, IPIP, udp ops; read back, nothing to change', [], async () => {
  const dir = mkdtempSync(join(tmpdir(), 'puppet-'));
  writeFileSync(join(dir, 'text'), "{ 'host': '10.255.4.10', 'weight': 10, 'enabled': True }\n{ 'host': '10.255.4.11', 'weight': 5, 'enabled': True }\n");
  writeFileSync(join(dir, 'dns'), "{ 'host': '10.255.4.53', 'weight': 1, 'enabled': True }\n");
  writeFileSync(join(dir, 'pybal.conf'), '[global]\nbgp = no\ninstrumentation = yes\n\n'
    + '[textlb_443]\nprotocol = tcp\nip = 10.255.4.1\nport = 443\nscheduler = mh\nscheduler-flags = flag-2,mh-fallback\nops = false\ntunneling = true\n\n'
    + `config = file://${dir}/text\n\ndepool-threshold = 0.5\nmonitors = ["IdleConnection"]\n\n`
    + '[dns_rec_53_udp]\nprotocol = udp\nip = 10.255.4.2\nport = 53\nscheduler = sh\nscheduler-flags = sh-port\nops = true\ntunneling = false\n\n'
    + `config = file://${dir}/dns\n\ndepool-threshold = 0.5\nmonitors = ["IdleConnection"]\n`);
  const current = () => driver([]).read();
  const first = await planFromConfig(join(dir, 'pybal.conf'), { allUp: true, current });
  await ipvsadm(['-R'], first.batch);
  const after = await planFromConfig(join(dir, 'pybal.conf'), { allUp: true, current });
  return same(await saved(), [
    '-A -t 10.255.4.1:443 -s mh -b mh-fallback,mh-port',
    '-a -t 10.255.4.1:443 -r 10.255.4.10:443 -i -w 10 --tun-type ipip',
    '-a -t 10.255.4.1:443 -r 10.255.4.11:443 -i -w 5 --tun-type ipip',
    '-A -u 10.255.4.2:53 -s sh -o -b sh-port',
    '-a -u 10.255.4.2:53 -r 10.255.4.53:53 -g -w 1',
  ]) + same(after.batch, '');
});

await scenario('vipd ipvs plan against the kernel table', [
  '-A -t 10.255.1.1:80 -s wrr',
  '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 10',
  '-a -t 10.255.1.1:80 -r 10.255.1.12:80 -g -w 10',
  '-A -t 10.255.9.9:80 -s rr',
], async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  writeFileSync(join(dir, 'pool'), "{ 'host': '10.255.1.10', 'weight': 5, 'enabled': True }\n"
    + "{ 'host': '10.255.1.11', 'weight': 0, 'enabled': True }\n{ 'host': '10.255.1.12', 'weight': 1, 'enabled': False }\n");
  writeFileSync(join(dir, 'pybal.conf'), `[global]\nbgp = no\n\n[web]\nprotocol = tcp\nip = 10.255.1.1\nport = 80\n`
    + `scheduler = wrr\nconfig = file://${dir}/pool\nmonitors = [ "IdleConnection" ]\n`);
  const d = driver([]);
  const current = () => d.read();
  const partial = await planFromConfig(join(dir, 'pybal.conf'), { allUp: false, current });
  const full = await planFromConfig(join(dir, 'pybal.conf'), { allUp: true, current });
  await ipvsadm(['-R'], full.batch);
  const after = await planFromConfig(join(dir, 'pybal.conf'), { allUp: true, current });
  return same(partial.batch, '-e -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 5 -x 0 -y 0\n-d -t 10.255.1.1:80 -r 10.255.1.12:80\n')
    + same(await saved(), [
      '-A -t 10.255.1.1:80 -s wrr',
      '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 5',
      '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 0',
      '-A -t 10.255.9.9:80 -s rr',
    ]) + same(after.batch, '');
});

await scenario('a burst of 30 decisions: no read per decision, at most 2 batches, the kernel holds the newest (issue 13 §2)', [], async () => {
  const calls: string[] = [];
  const counting: typeof commandRunner = { run: (cmd, args, opts) => { calls.push(args[0] ?? ''); return commandRunner.run(cmd, args, opts); } };
  const d = new IpvsadmDriver({ runner: counting, owned: [A], logger });
  const rec = new IpvsReconciler({ ipvs: d, clock: systemClock, logger });
  const outcomes = Array.from({ length: 30 }, (_, w) => rec.setDesired([svc(A, [rs('10.255.1.10', 80, w + 1)])]));
  const failed = (await Promise.all(outcomes)).filter((o) => !o.ok).length;
  const batches = calls.filter((c) => c === '-R').length;
  return same(failed, 0) + same(calls.filter((c) => c === '-Sn').length, 1) + same(batches >= 1 && batches <= 2, true)
    + same(await saved(), ['-A -t 10.255.1.1:80 -s wlc', '-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 30']);
});

// Last: loads the daemon's modules (slow under TCG), only now and only once; one result per step.
try {
  await byHand('-C');
  const t0 = Date.now();
  const { daemonScenario } = await import('./guest-daemon.js');
  lines.push(`daemon scenario: modules loaded in ${Date.now() - t0} ms`);
  results.push(...await daemonScenario({ logger, saved, byHand, same }));
} catch (e) {
  results.push({ name: 'vipd run: start', ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}
progress();

// Later modules, each with its own daemons (after the last one stopped), in this order. Issue 11:
// adoption with failing reads and a cut batch; issue 14 §1: planned restarts keep the table.
// (Site-level scenarios in namespaces of their own boot in guest-site.ts.)
await runModules([
  ['./guest-adoption.js', 'adoptionScenario', 'vipd run: adoption scenario'],
  ['./guest-restart.js', 'restartScenario', 'vipd run: graceful restart scenario'],
]);
finish(process.argv[2]!);
