// End-to-end helpers: real HTTP backends on loopback, and `vipd run` as a child process
// (node dist/cli/main.js — build first) with its JSON log lines and instrumentation API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createNet, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../lab/proc.js';
import { loopbackBlock } from '../lab/netns.js';
import { startRouter, type Router } from '../lab/router.js';

export interface LogLine { ts: string; level: string; msg: string; [k: string]: unknown }

/** One HTTP backend that can be killed (sockets destroyed, port closed) and revived. */
export class Backend {
  private servers: Server[] = [];
  private sockets = new Set<Socket>();
  constructor(readonly ip: string, readonly ports: number[]) {}

  async start(): Promise<void> {
    for (const port of this.ports) {
      const s = createHttp((req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(`ok ${this.ip}\n`); });
      s.on('connection', (c) => { this.sockets.add(c); c.on('close', () => this.sockets.delete(c)); });
      await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, this.ip, () => resolve()); });
      this.servers.push(s);
    }
  }

  /** As a killed process: every connection reset, the port refuses. */
  async kill(): Promise<void> {
    // RST as a killed process's kernel would, except where end() already queued a shutdown:
    // Node 20's reset then fails (EINVAL) yet leaves the handle half-closed, and the test process
    // spins at exit (test/lab/ipvs-vm/README.md).
    for (const c of this.sockets) { if (c.writableEnded) c.destroy(); else c.resetAndDestroy(); }
    this.sockets.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers = [];
  }
}

export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNet();
    s.once('error', reject);
    s.listen(0, host, () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

export function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `vipd-e2e-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `host` lines in PyBal's legacy pool format. */
export function legacyPool(entries: { host: string; weight?: number; enabled?: boolean }[], extra: string[] = []): string {
  return [...entries.map((e) => `{ 'host': '${e.host}', 'weight': ${e.weight ?? 10}, 'enabled': ${e.enabled === false ? 'False' : 'True'} }`), ...extra].join('\n') + '\n';
}

export class Vipd {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private proc: ChildProcess;

  /** An empty configPath runs `vipd run --demo`; `wrap` prefixes the command (e.g. ip netns exec NS). */
  constructor(readonly configPath: string, readonly api: string, args: string[] = ['-n'], wrap: string[] = []) {
    // Each vipd that drives IPVS (no -n) takes its own state lock, not the host's /var/lib/vipd.
    const own = !args.includes('-n') && !args.includes('--dryrun') && !args.some((a) => a.startsWith('--state-dir'));
    const stateDir = own ? mkdtempSync(join(tmpdir(), `vipd-state-${process.pid}-`)) : null;
    if (stateDir) args = [...args, '--state-dir', stateDir];
    const argv = configPath ? ['run', '-c', configPath, ...args] : ['run', '--demo', ...args];
    const cmd = [...wrap, process.execPath, 'dist/cli/main.js', ...argv];
    this.proc = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { this.lines.push(JSON.parse(line) as LogLine); } catch { this.lines.push({ ts: '', level: 'raw', msg: line }); }
      }
    });
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => {
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
      resolve(code);
    }));
  }

  get pid(): number { return this.proc.pid!; }

  signal(sig: NodeJS.Signals): void { this.proc.kill(sig); }

  /** The first log line at or after index `from` that matches. */
  waitLog(pred: (l: LogLine) => boolean, timeoutMs: number, what: string, from = 0): Promise<LogLine> {
    return waitFor(what, timeoutMs, async () => this.lines.slice(from).find(pred), 10);
  }

  /** IPVS batches the dry-run driver logged, from line index `from`. */
  batches(from = 0): string[] {
    return this.lines.slice(from).filter((l) => l.msg.startsWith('dry run: ipvsadm')).map((l) => String(l.batch));
  }

  async get(path: string, json = true): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://${this.api}${path}`, { headers: { accept: json ? 'application/json' : 'text/plain' } });
    return { status: res.status, body: json ? await res.json() : await res.text() };
  }

  async waitApi(timeoutMs: number): Promise<void> {
    await waitFor('vipd instrumentation', timeoutMs, async () => {
      try { return (await this.get('/pools')).status === 200; } catch { return false; }
    }, 50);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }

  /** Log tail for failure messages. */
  tail(n = 30): string {
    return [...this.lines.slice(-n).map((l) => JSON.stringify(l)), ...this.stderr].join('\n');
  }
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text);
}

/**
 * The `[global]` section the e2e tests and the failover benchmark share: BGP to `routers`, API on
 * `apiPort`, plus any further `[global]` lines in `extra`.
 */
export function bgpGlobal(o: { routers: string[]; speaker: string; apiPort: number; extra?: string[] }): string {
  return `[global]
bgp = yes
bgp-local-asn = 64600
bgp-peer-address = [ ${o.routers.map((r) => `"${r}"`).join(', ')} ]
bgp-peer-as = 64601
bgp-local-address = ${o.speaker}
bgp-hold-time = 30
bgp-nexthop-ipv4 = 192.0.2.10
instrumentation = yes
instrumentation_port = ${o.apiPort}
instrumentation_ips = [ "${o.speaker}" ]
${(o.extra ?? []).map((l) => `${l}\n`).join('')}`;
}

/**
 * The `[web]` service the e2e tests and the failover benchmark share: VIP 10.2.1.1 on `port`, wrr,
 * the pool file `pool`, then `lines` (monitors and their options).
 */
export function webService(port: number, pool: string, lines: string[] = []): string {
  return ['[web]', 'protocol = tcp', 'ip = 10.2.1.1', `port = ${port}`, 'scheduler = wrr', `config = file://${pool}`, ...lines, ''].join('\n');
}

/** One real HTTP backend on `ip` at a free port, its legacy pool file `dir`/web.pools; killed at teardown. */
export async function singleBackend(t: { teardown(fn: () => unknown): void }, ip: string, speaker: string, dir: string): Promise<{ backend: Backend; port: number }> {
  const port = await freePort(speaker);
  const backend = new Backend(ip, [port]);
  await backend.start();
  t.teardown(() => backend.kill());
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: backend.ip }]));
  return { backend, port };
}

/**
 * FRR on `lo.router(0)` and BIRD on `lo.router(1)`, each dialling vipd at `lo.speaker`; `started`
 * sees each as soon as it runs (to register its stop), so a failure halfway leaks nothing.
 */
export async function frrAndBird(lo: { speaker: string; router: (i: number) => string }, started: (r: Router) => void): Promise<[Router, Router]> {
  const routers: Router[] = [];
  for (const [i, kind] of (['frr', 'bird'] as const).entries()) {
    const r = await startRouter({ kind, routerIp: lo.router(i), speakerIp: lo.speaker, passive: true });
    started(r);
    routers.push(r);
  }
  return routers as [Router, Router];
}

export interface FrrBeside { lo: ReturnType<typeof loopbackBlock>; dir: string; router: Router; port: number; backends: Backend[] }

/**
 * vipd's surroundings in the end-to-end tests: a fresh loopback block, a temp dir, FRR on
 * `lo.router(0)` dialling vipd at `lo.speaker`, and `count` real HTTP backends on `lo.router(10 + i)`
 * sharing one free port, with their legacy pool in `dir`/web.pools; everything stopped at teardown.
 */
export async function frrBeside(t: { teardown(fn: () => unknown): void }, count: number): Promise<FrrBeside> {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'frr', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => router.stop());
  const port = await freePort(lo.speaker);
  const backends = Array.from({ length: count }, (_, i) => new Backend(lo.router(10 + i), [port]));
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  writeFile(join(dir, 'web.pools'), legacyPool(backends.map((b) => ({ host: b.ip }))));
  return { lo, dir, router, port, backends };
}
