/** Today's planned stop of BGP (SIGTERM, or a failed start), with BFD around it. */
import type { Speaker, StopOptions } from '../../speaker/index.js';

export interface BfdStop {
  /** RFC 5882 §3.2: AdminDown on every BFD session, so the routers do not see a failure. */
  adminDownAll(): Promise<void>;
  /** No more BFD packets. */
  stop(): void;
}

/** BFD AdminDown first, then the speaker's stop (withdraw, Cease 6/2), then BFD ends. */
export async function stopBgp(speaker: Speaker | null, bfd: BfdStop | null, opts: StopOptions): Promise<void> {
  await bfd?.adminDownAll();
  await speaker?.stop(opts);
  bfd?.stop();
}
