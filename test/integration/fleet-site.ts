// Two or more in-process vipd (dry-run IPVS) of one site: pools and overrides in one real etcd,
// real TCP backends on 127.0.0.2-4 for their IdleConnection checks (issue 17 §2).
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Daemon } from '../../src/cli/run/daemon.js';
import { serviceKey } from '../../src/cli/ipvs-mapping.js';
import { silentLogger } from '../../src/log/logger.js';
import { DryRunDriver } from '../../src/lvs/index.js';
import { createPoolSource, etcdTlsFiles } from '../../src/pools/index.js';
import { systemClock } from '../../src/time/clock.js';
import { freePort, startEtcd, type TestEtcd } from './pools-etcd-server.js';

export const TOKEN = 'alice-token-0123456789abcdef';
export const HOSTS = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
export const POOL = '/conftool/v1/pools/ams/web/';
export const SITE = '/vipd/ams';

interface Teardown { teardown(f: () => unknown): void }

/** The site's etcd (v3) in its own directory. */
export async function siteEtcd(bin: string, dir: string): Promise<TestEtcd> {
  const d = join(dir, 'etcd');
  mkdirSync(d, { recursive: true });
  return startEtcd(bin, d);
}

/** A listener per backend address on one port; closed at teardown. */
export async function backends(t: Teardown): Promise<number> {
  const port = await freePort('127.0.0.2');
  const open = new Set<net.Socket>();
  const servers = await Promise.all(HOSTS.map((h) => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer((c) => { c.on('error', () => {}); open.add(c); c.on('close', () => open.delete(c)); });
    s.once('error', reject);
    s.listen(port, h, () => resolve(s));
  })));
  t.teardown(() => Promise.all(servers.map((s) => new Promise((r) => { s.close(r); for (const c of open) c.destroy(); }))));
  return port;
}

export interface Balancer {
  name: string; d: Daemon; url: string; dir: string;
  /** The first service's realservers, `address:weight`. */
  ipvs(): Promise<string[]>;
  /** Every service's realservers, `VIP address:weight`. */
  table(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface BalancerOptions {
  /** overrides-source; default etcd3://ETCD/vipd/ams. */
  overrides?: string;
  /** Service name → pool URL (VIPs 10.255.7.1, .2 ...); default web on etcd3://ETCD/conftool/v1/pools/ams/web/. */
  pools?: Record<string, string>;
  /** More [global] lines (etcd-ca = ...). */
  global?: string;
}

export async function balancer(t: Teardown, etcd: Pick<TestEtcd, 'hostPort'>, name: string, dir: string, port: number, o: BalancerOptions = {}): Promise<Balancer> {
  const api = await freePort('127.0.0.1');
  writeFileSync(join(dir, 'tokens'), `alice:${TOKEN}\n`, { mode: 0o600 });
  const conf = join(dir, 'vipd.conf');
  writeFileSync(conf, `[global]
instrumentation = yes
instrumentation_port = ${api}
instrumentation_ips = [ "127.0.0.1" ]
admin-token-file = ${join(dir, 'tokens')}
state-file = ${join(dir, 'state.json')}
overrides-source = ${o.overrides ?? `etcd3://${etcd.hostPort}${SITE}`}
instance-name = ${name}
${o.global ?? ''}
${Object.entries(o.pools ?? { web: `etcd3://${etcd.hostPort}${POOL}` }).map(([svc, url], i) => `
[${svc}]
protocol = tcp
ip = 10.255.7.${i + 1}
port = ${port}
scheduler = wrr
depool-threshold = .3
config = ${url}
monitors = [ "IdleConnection" ]
`).join('')}`);
  let driver: DryRunDriver | null = null;
  const d = await Daemon.start({
    configPath: conf, dryRun: true, clock: systemClock, log: silentLogger,
    poolSource: (svc, log) => createPoolSource(svc.pool, { clock: systemClock, logger: log, intervalMs: 100, timeoutMs: 1000, etcd: etcdTlsFiles(svc) }),
    ipvs: (owned) => (driver = new DryRunDriver({ owned: owned.map(serviceKey), logger: silentLogger })),
    resolveIntervalMs: 60_000,
  });
  let stopped = false;
  const stop = async (): Promise<void> => { if (!stopped) { stopped = true; await d.stop(); } };
  t.teardown(stop);
  const ipvs = async (): Promise<string[]> => ((await driver!.read())[0]?.realServers ?? []).map((r) => `${r.address}:${r.weight}`).sort();
  const table = async (): Promise<string[]> => (await driver!.read()).flatMap((svc) => svc.realServers.map((r) => `${"address" in svc.key ? svc.key.address : svc.key.mark} ${r.address}:${r.weight}`)).sort();
  return { name, d, url: `http://127.0.0.1:${api}/`, dir, ipvs, table, stop };
}

/** An API write as `vipd depool` sends it. */
export async function override(b: Balancer, method: 'PUT' | 'DELETE', path: string, body?: object): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(`/overrides/${path}`, b.url), {
    method, headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() as unknown };
}

export const alertsOf = (b: Balancer, source: string): string[] =>
  b.d.coordinator.status().alerts.filter((a) => a.source === source).map((a) => a.message);
