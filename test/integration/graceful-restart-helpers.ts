// Graceful restart (issue 14 §1) against real routers, shared by e2e-graceful-restart.test.ts and
// the failover benchmark's case (e): FRR, BIRD and GoBGP as RFC 4724 helpers, a poller of each
// router's RIB, and the SIGTERM-and-start-again loop.
import { startRouter, type Router, type RouterKind } from '../lab/router.js';
import { Vipd } from './e2e-helpers.js';

export const GR_ROUTERS: readonly RouterKind[] = ['frr', 'bird', 'gobgp'];

/** The three routers on lo.router(0..2), passive (vipd dials), graceful restart helpers. */
export async function startGrRouters(lo: { speaker: string; router: (i: number) => string }, started: (r: Router) => void): Promise<Router[]> {
  const out: Router[] = [];
  for (const [i, kind] of GR_ROUTERS.entries()) {
    const r = await startRouter({ kind, routerIp: lo.router(i), speakerIp: lo.speaker, passive: true, gracefulRestart: true });
    started(r);
    out.push(r);
  }
  return out;
}

/**
 * Reads one router's RIB every `everyMs`, with at most `maxInFlight` reads at once (an FRR read
 * costs ~125 ms of vtysh, so several overlap); counts the reads that lack `prefix`.
 */
export class RibWatch {
  polls = 0;
  missing = 0;
  errors = 0;
  skipped = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private stoppedAt = 0;

  constructor(readonly router: Router, readonly prefix: string, private readonly everyMs = 20, private readonly maxInFlight = 3) {}

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => {
      if (this.inFlight >= this.maxInFlight) { this.skipped++; return; }
      this.inFlight++;
      void this.router.rib().then((rib) => {
        this.polls++;
        if (!rib.some((x) => x.prefix === this.prefix)) this.missing++;
      }, () => { this.errors++; }).finally(() => { this.inFlight--; });
    }, this.everyMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stoppedAt = performance.now();
    for (let i = 0; this.inFlight > 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
  }

  /** Mean time between completed reads over the watch. */
  get meanIntervalMs(): number {
    return this.polls ? (this.stoppedAt - this.startedAt) / this.polls : Infinity;
  }

  summary(): string {
    return `${this.router.kind}: ${this.missing} of ${this.polls} polls without ${this.prefix} (one every ${this.meanIntervalMs.toFixed(0)} ms on average, ${this.errors} errors)`;
  }
}

/** A vipd that is up once each router has an established session and End-of-RIB went (log lines). */
export async function waitSessionsUp(vipd: Vipd, routers: Router[], timeoutMs: number): Promise<void> {
  for (const r of routers) await vipd.waitLog((l) => l.msg === 'session established' && l.peer === r.ip, timeoutMs, `session with ${r.kind}`);
  await vipd.waitLog((l) => l.msg === 'routes complete: End-of-RIB to every established peer', timeoutMs, 'routes complete');
}

/**
 * `n` planned restarts: SIGTERM (exit 0 expected), then the same command again. Returns the vipd
 * now running and the exit codes; `each` runs after every restart once the sessions are up.
 */
export async function plannedRestarts(
  first: Vipd, make: () => Vipd, routers: Router[], n: number, each: (i: number, vipd: Vipd) => Promise<void> = async () => {}, upTimeoutMs = 20_000,
): Promise<{ vipd: Vipd; codes: (number | null)[]; stopped: { vipd: Vipd; signalledAt: number }[] }> {
  let vipd = first;
  const codes: (number | null)[] = [];
  const stopped: { vipd: Vipd; signalledAt: number }[] = [];
  for (let i = 0; i < n; i++) {
    stopped.push({ vipd, signalledAt: vipd.lines.length });
    vipd.signal('SIGTERM');
    codes.push(await vipd.exited);
    vipd = make();
    await waitSessionsUp(vipd, routers, upTimeoutMs);
    await each(i, vipd);
  }
  return { vipd, codes, stopped };
}

/** The dry-run IPVS table a vipd built from empty: its batches' lines, once every VIP in `vips` is in. */
export async function dryRunTable(vipd: Vipd, vips: string[], timeoutMs: number): Promise<string[]> {
  const lines = (): string[] => [...new Set(vipd.batches().flatMap((b) => b.split('\n')).filter(Boolean))].sort();
  await vipd.waitLog(() => vips.every((v) => lines().some((l) => l.startsWith(`-A -t ${v}:`))), timeoutMs, 'the IPVS table built');
  return lines();
}
