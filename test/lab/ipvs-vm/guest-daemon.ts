// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts (loading the daemon's modules
// costs ~2 s under TCG): `vipd run` in-process with the real ipvsadm driver, file pool,
// ProxyFetch against real HTTP backends on 127.0.4.x, no BGP (issue 7 §5, KVM guest suite).
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon } from '../../../src/cli/run/daemon.js';
import type { Logger } from '../../../src/log/logger.js';
import { FileSource } from '../../../src/pools/file-source.js';
import { systemClock } from '../../../src/time/clock.js';

export interface GuestTools {
  logger: Logger;
  /** `ipvsadm -Sn`, one line per entry. */
  saved(): Promise<string[]>;
  /** One `ipvsadm -R` batch, as an operator would type it. */
  byHand(...lines: string[]): Promise<string>;
  same(actual: unknown, expected: unknown): string;
}

const VIP = '10.255.4.1';
const PORT = 8080;
const HOSTS = ['127.0.4.10', '127.0.4.11', '127.0.4.12'];
const svcLine = `-A -t ${VIP}:${PORT} -s wrr`;
const rsLine = (host: string, weight: number) => `-a -t ${VIP}:${PORT} -r ${host}:${PORT} -g -w ${weight}`;

/** A real HTTP backend; stop() acts as a killed process (connections reset, port refuses). */
async function backend(host: string): Promise<{ stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((_req, res) => { res.writeHead(200); res.end(`ok ${host}\n`); });
  s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((ok, fail) => { s.once('error', fail); s.listen(PORT, host, () => ok()); });
  let stopped: Promise<void> | null = null;
  return {
    stop: () => stopped ??= new Promise<void>((ok) => {
      for (const c of sockets) c.resetAndDestroy();
      s.close(() => ok());
    }),
  };
}

const pool = (weights: number[]) =>
  HOSTS.map((h, i) => `{ 'host': '${h}', 'weight': ${weights[i]}, 'enabled': True }\n`).join('');

/** Polls `check` (returns '' when satisfied, else what it saw) for at most `ms`. */
async function until(what: string, ms: number, check: () => Promise<string>): Promise<string> {
  const deadline = Date.now() + ms;
  let seen = await check();
  while (seen && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 150));
    seen = await check();
  }
  return seen && `${what}: not within ${ms} ms; ${seen}\n`;
}

/** Every step, in order; returns '' when all held, else the first problem. */
export async function daemonScenario(tools: GuestTools): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-guest-'));
  const poolFile = join(dir, 'web.pools');
  writeFileSync(poolFile, pool([10, 20, 30]));
  writeFileSync(join(dir, 'vipd.conf'), `[global]\nbgp = no\n\n[web]\nprotocol = tcp\nip = ${VIP}\nport = ${PORT}\n`
    + `scheduler = wrr\nconfig = file://${poolFile}\ndepool-threshold = .5\nmonitors = [ "ProxyFetch" ]\n`
    + `proxyfetch.url = [ 'http://web.example.org/healthz' ]\nproxyfetch.interval = 0.5\nproxyfetch.timeout = 3\n`);
  const backends: { stop(): Promise<void> }[] = [];
  let daemon: Daemon | null = null;
  try {
    for (const h of HOSTS) backends.push(await backend(h));
    daemon = await Daemon.start({
      configPath: join(dir, 'vipd.conf'), dryRun: false, clock: systemClock, log: tools.logger.child({ scenario: 'daemon' }),
      // Polling only: with fs.watch on the guest's /tmp (overlay on 9p), the guest sometimes never
      // finished after node's exit event (no exit code; 2 of 8 boots); without it, none seen.
      poolSource: (svc, l) => new FileSource(svc.pool, { clock: systemClock, logger: l, intervalMs: 200, watch: false }),
    });
    const d = daemon;
    const kernel = (want: string[]) => async () => tools.same(await tools.saved(), want);
    const [h0, h1, h2] = HOSTS as [string, string, string];
    const pooledDown = async () => {
      const p = d.coordinator.status().pools[0];
      return tools.same(p?.pooledDown, [h1]);
    };
    const steps: [string, number, () => Promise<unknown>, () => Promise<string>][] = [
      ['all backends up: the service and its 3 servers with their weights', 30_000, async () => {},
        kernel([svcLine, rsLine(h0, 10), rsLine(h1, 20), rsLine(h2, 30)])],
      ['one backend stopped: depooled, gone from the kernel', 15_000, () => backends[0]!.stop(),
        kernel([svcLine, rsLine(h1, 20), rsLine(h2, 30)])],
      ['a second backend stopped: at the depool threshold, pooled-but-down', 15_000, () => backends[1]!.stop(), pooledDown],
      ['... and kept in the kernel', 1, async () => {}, kernel([svcLine, rsLine(h1, 20), rsLine(h2, 30)])],
      ['pool file edit to weight 0: the kernel shows -w 0', 15_000, async () => writeFileSync(poolFile, pool([10, 20, 0])),
        kernel([svcLine, rsLine(h1, 20), rsLine(h2, 0)])],
    ];
    for (const [what, ms, act, check] of steps) {
      await act();
      const problem = await until(what, ms, check);
      if (problem) return problem;
    }
    const before = await tools.saved();
    await tools.byHand(`-a -t ${VIP}:${PORT} -r 127.0.4.99:${PORT} -w 5`);
    const drift = await tools.saved();
    const outcome = await d.reconciler.check();
    const repaired = tools.same(outcome.ok, true) + tools.same(d.reconciler.repairs, 1) + tools.same(await tools.saved(), before);
    if (!drift.includes(rsLine('127.0.4.99', 5))) return `the hand-added server is not in the kernel: ${JSON.stringify(drift)}\n`;
    if (repaired) return `drift repair by the reconciler's check: ${repaired}\n`;
    daemon = null;
    await d.stop();
    await new Promise((ok) => setTimeout(ok, 500));
    const after = tools.same(await tools.saved(), before);
    return after && `IPVS changed by the daemon's stop: ${after}\n`;
  } finally {
    await daemon?.stop();
    await Promise.all(backends.map((b) => b.stop()));
  }
}
