import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Daemon } from './proc.js';
import { waitFor } from './proc.js';
import { resolveOptions, type ResolvedOptions, type RibRoute, type Router, type RouterKind, type RouterOptions } from './router-types.js';
import { birdClear, birdEstablished, birdLog, birdRib, birdRouteRefresh, startBird } from './routers/bird.js';
import { frrClear, frrEstablished, frrLog, frrRib, frrRouteRefresh, startFrr } from './routers/frr.js';
import { gobgpClear, gobgpEstablished, gobgpLog, gobgpRib, gobgpRouteRefresh, startGobgp } from './routers/gobgp.js';

export type { RibRoute, Router, RouterKind, RouterOptions } from './router-types.js';

interface Driver {
  start(o: ResolvedOptions): Promise<Daemon>;
  established(o: ResolvedOptions): Promise<boolean>;
  rib(o: ResolvedOptions): Promise<RibRoute[]>;
  routeRefresh(o: ResolvedOptions): Promise<void>;
  clear(o: ResolvedOptions): Promise<void>;
  log(o: ResolvedOptions): string;
}

const DRIVERS: Record<RouterKind, Driver> = {
  frr: { start: startFrr, established: frrEstablished, rib: frrRib, routeRefresh: frrRouteRefresh, clear: frrClear, log: frrLog },
  bird: { start: startBird, established: birdEstablished, rib: birdRib, routeRefresh: birdRouteRefresh, clear: birdClear, log: birdLog },
  gobgp: { start: startGobgp, established: gobgpEstablished, rib: gobgpRib, routeRefresh: gobgpRouteRefresh, clear: gobgpClear, log: gobgpLog },
};

/** The Debian binary each router needs (for requireTool). */
export const ROUTER_BINARIES: Record<RouterKind, string[]> = {
  frr: ['/usr/lib/frr/bgpd', 'vtysh'],
  bird: ['bird', 'birdc'],
  gobgp: ['gobgpd', 'gobgp'],
};

/**
 * Starts a real router (FRR bgpd, BIRD 2 or GoBGP) with the ROUTERS.md policy in a fresh temp dir, bound only to
 * routerIp, peering with speakerIp; resolves once its control interface answers. Always `stop()` it (t.teardown).
 */
export async function startRouter(opts: RouterOptions): Promise<Router> {
  const dir = mkdtempSync(join(tmpdir(), `vipd-lab-${opts.kind}-`));
  const o = resolveOptions(opts, dir);
  const driver = DRIVERS[o.kind];
  let daemon: Daemon | null = null;
  try {
    daemon = await driver.start(o);
  } catch (err) {
    const log = driver.log(o);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${o.kind} did not start: ${err instanceof Error ? err.message : String(err)}\n${log.slice(-2000)}`);
  }
  let stopped = false;
  const router: Router = {
    kind: o.kind,
    ip: o.routerIp,
    dir,
    options: o,
    async stop() {
      if (stopped) return;
      stopped = true;
      await daemon?.stop();
      if (!process.env.VIPD_LAB_KEEP) rmSync(dir, { recursive: true, force: true });
    },
    established: () => driver.established(o).catch(() => false),
    async waitEstablished(timeoutMs) {
      await waitFor(`${o.kind} session with ${o.speakerIp} Established`, timeoutMs, () => driver.established(o));
    },
    rib: () => driver.rib(o),
    waitRib: (pred, timeoutMs) =>
      waitFor(`${o.kind} RIB condition`, timeoutMs, async () => {
        const routes = await driver.rib(o);
        return pred(routes) ? routes : undefined;
      }),
    routeRefresh: () => driver.routeRefresh(o),
    clearSession: () => driver.clear(o),
    async restart() {
      await daemon?.stop();
      daemon = await driver.start(o);
    },
    log: () => driver.log(o),
  };
  return router;
}
