/** The stop of BGP (SIGTERM, SIGUSR1, or a failed start), with BFD around it. */
import type { SpeakerControl, StopOptions } from '../../speaker/index.js';

export interface BfdStop {
  /** RFC 5882 §3.2: AdminDown on every BFD session, so the routers do not see a failure. */
  adminDownAll(): Promise<void>;
  /** No more BFD packets. */
  stop(): void;
}

/**
 * The speaker's stop first (a graceful restart closes the sessions so the routers keep the routes
 * as stale; a full stop withdraws, waits bgp-graceful-shutdown-wait, sends Cease 6/2), then BFD
 * AdminDown, then BFD ends. AdminDown must not come first: FRR 8.4 answers it with Cease 6/10 as a
 * Hard Reset and BIRD before 2.14 with a session reset, which drop the routes a graceful restart
 * keeps and cut a graceful shutdown's wait. Once the sessions are closed, AdminDown tells the routers
 * that BFD going away is not a failure (RFC 5882 §3.2), and the routers' graceful restart helpers
 * must not abort on it (RFC 5882 §4.3: vipd's C bit is clear, its BFD shares fate with its BGP).
 * docs/bfd.md "BFD with graceful restart".
 */
export async function stopBgp(speaker: SpeakerControl | null, bfd: BfdStop | null, opts: StopOptions): Promise<void> {
  await speaker?.stop(opts);
  await bfd?.adminDownAll();
  bfd?.stop();
}
