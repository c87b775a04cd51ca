// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts: issue 17 §3, consistent
// hashing across balancers on a real kernel. Two director network namespaces (IPVS is per
// namespace) get the same mh service from vipd's own planner and ipvsadm driver, the pool listed
// in different orders; a third gets it by hand in another order (the control: the kernel's table
// does depend on the list order). Clients in the root namespace send SYNs from fixed 5-tuples to
// the VIP, routed to one director then the other (as ECMP would move a flow); the director's
// connection table (`ipvsadm -Lnc`) names the realserver each tuple reached.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandRunner } from '../../../src/process/command-runner.js';
import { IpvsadmDriver, realServer, type RealServer, type ServiceKey, type VirtualService } from '../../../src/lvs/index.js';
import type { GuestTools, StepResult } from './guest-daemon.js';

const VIP = '10.255.50.1';
const KEY: ServiceKey = { protocol: 'tcp', address: VIP, port: 80 };
/** Realservers (direct routing into a dummy link: the SYN goes nowhere, the choice is recorded). */
const RS = [1, 2, 3, 4, 5, 6].map((n) => `10.255.51.${n}`);
/**
 * Weights with gcd 1, so each server takes that many turns when ip_vs_mh.c fills its table: the
 * list order then moves ~6 % of the 4093 slots (with turns of 1-3 it moves ~0.5 %, which a few
 * dozen tuples would likely miss). 256 tuples: a 6 % difference goes unseen with p ~ 1e-7.
 */
const WEIGHT: Record<string, number> = { '10.255.51.1': 20, '10.255.51.2': 41, '10.255.51.3': 25, '10.255.51.4': 30, '10.255.51.5': 60, '10.255.51.6': 33 };
const CLIENTS = Array.from({ length: 16 }, (_, i) => `10.255.70.${i + 1}`);
/** mh-port: the source port is part of the hash, so each client address gives this many tuples. */
const PORTS_PER_CLIENT = 16;
const DIRECTORS = ['vipd-mh1', 'vipd-mh2', 'vipd-mh3'] as const;
type Director = (typeof DIRECTORS)[number];

async function sh(script: string): Promise<string> {
  // ~60 `ip` calls for the topology: each costs 50-500 ms under TCG on a loaded host
  const r = await commandRunner.run('/bin/sh', ['-ec', script], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 180_000, maxOutputBytes: 1 << 20 });
  if (r.exitCode !== 0) {
    const why = r.timedOut ? 'timed out' : r.spawnError ? `cannot run: ${r.spawnError}` : `rc ${r.exitCode} signal ${r.signal}`;
    throw new Error(`sh: ${script.split('\n')[0]}...: ${why} ${r.stderr.trim()}`);
  }
  return r.stdout;
}

const link = (i: number) => ({ host: `10.255.6${i}.1`, dir: `10.255.6${i}.2` });

/** Three directors, each behind its own veth; the client addresses on the root namespace's lo. */
async function topology(): Promise<void> {
  const lines = ['sysctl -qw net.ipv4.conf.all.rp_filter=0', 'sysctl -qw net.ipv4.conf.default.rp_filter=0'];
  DIRECTORS.forEach((ns, i) => {
    const l = link(i + 1);
    lines.push(`ip netns add ${ns}`, `ip link add vh${i + 1} type veth peer name vd${i + 1}`, `ip link set vd${i + 1} netns ${ns}`,
      `ip addr add ${l.host}/24 dev vh${i + 1}`, `ip link set vh${i + 1} up`,
      `ip -n ${ns} link set lo up`, `ip -n ${ns} addr add ${VIP}/32 dev lo`,
      `ip -n ${ns} addr add ${l.dir}/24 dev vd${i + 1}`, `ip -n ${ns} link set vd${i + 1} up`,
      `ip -n ${ns} route add default via ${l.host}`,
      `ip -n ${ns} link add rs0 type dummy`, `ip -n ${ns} addr add 10.255.51.254/24 dev rs0`, `ip -n ${ns} link set rs0 up`,
      `ip netns exec ${ns} sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vd${i + 1}.rp_filter=0`);
  });
  for (const c of CLIENTS) lines.push(`ip addr add ${c}/32 dev lo`);
  await sh(lines.join('\n'));
}

async function teardown(): Promise<void> {
  await sh([...DIRECTORS.map((ns) => `ip netns del ${ns} 2>/dev/null || true`),
    ...CLIENTS.map((c) => `ip addr del ${c}/32 dev lo 2>/dev/null || true`)].join('\n')).catch(() => undefined);
}

/** vipd's ipvsadm driver, its ipvsadm run inside the director's namespace. */
function driverIn(ns: Director, dir: string, tools: GuestTools): IpvsadmDriver {
  const wrapper = join(dir, `ipvsadm-${ns}`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} /usr/sbin/ipvsadm "$@"\n`);
  chmodSync(wrapper, 0o755);
  return new IpvsadmDriver({ runner: commandRunner, owned: [KEY], logger: tools.logger.child({ director: ns }), ipvsadm: wrapper });
}

const service = (servers: RealServer[]): VirtualService[] => [{ key: KEY, scheduler: 'mh', flags: ['mh-port'], ops: false, realServers: servers }];
/** The pool as a source lists it: `order` is the order of the listing. */
const pool = (order: string[], weights: Record<string, number> = WEIGHT): VirtualService[] =>
  service(order.map((a) => realServer({ address: a, port: 80, weight: weights[a]! })));
const without = (...gone: string[]) => RS.filter((a) => !gone.includes(a));

/**
 * Routes the VIP to `ns`, opens a SYN from every client tuple (source ports `base`..), and reads
 * which realserver each reached from the director's connection table.
 */
async function probe(ns: Director, base: number): Promise<Map<string, string>> {
  await sh(`ip route replace ${VIP}/32 via ${link(DIRECTORS.indexOf(ns) + 1).dir}`);
  const sockets: Socket[] = [];
  for (const c of CLIENTS) {
    for (let k = 0; k < PORTS_PER_CLIENT; k++) {
      const s = connect({ host: VIP, port: 80, localAddress: c, localPort: base + k });
      s.on('error', () => undefined);
      sockets.push(s);
    }
  }
  const want = CLIENTS.length * PORTS_PER_CLIENT;
  const seen = new Map<string, string>();
  // bounded: the SYNs are out within milliseconds, the table read takes ~0.2 s under TCG
  for (let i = 0; i < 20 && seen.size < want; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    const out = await sh(`ip netns exec ${ns} ipvsadm -Lnc`);
    for (const m of out.matchAll(/(10\.255\.70\.\d+:\d+)\s+10\.255\.50\.1:80\s+(10\.255\.51\.\d+):80/g)) {
      const port = Number(m[1]!.split(':')[1]);
      if (port >= base && port < base + PORTS_PER_CLIENT) seen.set(m[1]!, m[2]!);
    }
  }
  for (const s of sockets) s.destroy();
  return seen;
}

function compare(a: Map<string, string>, b: Map<string, string>, what: string): string {
  const want = CLIENTS.length * PORTS_PER_CLIENT;
  if (a.size !== want || b.size !== want) return `${what}: ${a.size} and ${b.size} of ${want} tuples seen in the connection tables`;
  const diff = [...a].filter(([k, v]) => b.get(k) !== v).map(([k, v]) => `${k}: ${v} vs ${b.get(k)}`);
  return diff.length ? `${what}: ${diff.length} tuples reached another realserver: ${diff.slice(0, 4).join('; ')}` : '';
}
const spread = (m: Map<string, string>) => new Set(m.values()).size;

export async function mhScenario(tools: GuestTools): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-guest-mh-'));
  const results: StepResult[] = [];
  const step = async (name: string, body: () => Promise<string>): Promise<boolean> => {
    const t0 = Date.now();
    try {
      const problem = await body();
      results.push({ name: `mh: ${name}`, ok: problem === '', detail: problem || `ok in ${Date.now() - t0} ms` });
      return problem === '';
    } catch (e) {
      results.push({ name: `mh: ${name}`, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return false;
    }
  };
  try {
    await teardown();
    await topology();
    const [d1, d2] = [driverIn('vipd-mh1', dir, tools), driverIn('vipd-mh2', dir, tools)];
    // the kernel's list order (-S always sorts): address, forwarding and weight, not the counters
    const listed = async (ns: Director) => (await sh(`ip netns exec ${ns} ipvsadm -Ln --nosort`)).split('\n')
      .filter((l) => l.trim().startsWith('->') || l.startsWith('TCP')).map((l) => l.trim().split(/\s+/).slice(0, 4).join(' '));
    let base = 20_000;
    const both = async (what: string) => {
      base += PORTS_PER_CLIENT;
      const [a, b] = [await probe('vipd-mh1', base), await probe('vipd-mh2', base)];
      return compare(a, b, what) || (spread(a) < 3 ? `${what}: the tuples reached only ${spread(a)} realservers` : '')
        || tools.same(await listed('vipd-mh2'), await listed('vipd-mh1'));
    };
    let ok = await step('same pool listed in two orders: every 5-tuple reaches the same realserver through either director', async () => {
      await d1.apply(pool(RS), { readBack: true });
      await d2.apply(pool([...RS].reverse()), { readBack: true });
      return both('initial');
    });
    ok &&= await step('control: the same servers added by hand in another order give another mapping (the kernel table follows the list order)', async () => {
      await sh(['ip netns exec vipd-mh3 ipvsadm -A -t 10.255.50.1:80 -s mh -b mh-port',
        ...RS.map((a) => `ip netns exec vipd-mh3 ipvsadm -a -t 10.255.50.1:80 -r ${a}:80 -g -w ${WEIGHT[a]}`)].join('\n'));
      base += PORTS_PER_CLIENT;
      const [a, c] = [await probe('vipd-mh1', base), await probe('vipd-mh3', base)];
      const problem = compare(a, c, 'control');
      return problem.includes('reached another realserver') ? '' : `expected a different mapping by hand, got: ${problem || 'the same'}`;
    });
    ok &&= await step('a server depooled and repooled on one director only: still the same mapping', async () => {
      await d1.apply(pool(without('10.255.51.2')), { readBack: true });
      await d1.apply(pool(RS), { readBack: true });
      return both('after repool on one');
    });
    ok &&= await step('depooled on both (in different orders): its flows move to the same realservers on both', async () => {
      await d1.apply(pool(without('10.255.51.4')), { readBack: true });
      await d2.apply(pool(without('10.255.51.3', '10.255.51.4')), { readBack: true });
      await d2.apply(pool(without('10.255.51.4').reverse()), { readBack: true });
      return both('depooled on both');
    });
    ok &&= await step('repooled on both, a drain and undrain on one: the same mapping', async () => {
      await d2.apply(pool(RS, { ...WEIGHT, '10.255.51.5': 0 }), { readBack: true });
      await d2.apply(pool(RS), { readBack: true });
      await d1.apply(pool([...RS].reverse()), { readBack: true });
      return both('repooled on both');
    });
    if (!ok) tools.logger.warn('mh: the steps after the first failure were not run');
  } catch (e) {
    results.push({ name: 'mh: topology', ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  } finally {
    await teardown();
  }
  return results;
}
