// Shared by the speaker interop tests: a real Speaker on real sockets, with its events recorded.
import { Speaker } from '../../src/speaker/speaker.js';
import type { PeerConfig, SpeakerEvent } from '../../src/speaker/types.js';
import type { SecureSocketPort } from '../../src/speaker/secure-socket.js';
import type { Route } from '../../src/speaker/routes.js';
import { systemClock } from '../../src/time/clock.js';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../lab/proc.js';
import { startCapture } from '../lab/capture.js';

export const NH4 = '192.0.2.10';
export const NH6 = '2001:db8::10';

export interface TestSpeaker {
  speaker: Speaker;
  events: SpeakerEvent[];
  /** Resolves with the first event (seen so far or later) matching; bounded. */
  waitEvent(pred: (e: SpeakerEvent) => boolean, timeoutMs: number, what?: string): Promise<SpeakerEvent>;
  stop(message?: string): Promise<void>;
}

export async function startSpeaker(
  peer: PeerConfig, routes: Route[], opts: { localAs?: number; routerId?: string; log?: Logger; sockets?: SecureSocketPort } = {},
): Promise<TestSpeaker> {
  const log = opts.log ?? (process.env.VIPD_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger);
  const speaker = new Speaker({ localAs: opts.localAs ?? 64600, ...(opts.routerId ? { routerId: opts.routerId } : {}), peers: [peer] }, systemClock, log, opts.sockets);
  const events: SpeakerEvent[] = [];
  speaker.onEvent((e) => events.push(e));
  speaker.setAdvertised(routes);
  await speaker.start();
  let stopped = false;
  return {
    speaker,
    events,
    waitEvent: (pred, timeoutMs, what = 'speaker event') =>
      waitFor(what, timeoutMs, async () => events.find(pred), 20),
    async stop(message?: string) {
      if (stopped) return;
      stopped = true;
      await speaker.stop(message !== undefined ? { message } : {});
    },
  };
}

/** The peer config the lab routers expect: our bound address, short timers, next hops outside 127/8. */
export function labPeer(routerIp: string, speakerIp: string, over: Partial<PeerConfig> = {}): PeerConfig {
  return {
    address: routerIp, peerAs: 64601, localAddress: speakerIp, holdTime: 3, mode: 'active',
    nextHop: { ipv4: NH4, ipv6: NH6 }, maxPrefixes: 10, idleHoldMs: 200, idleHoldMaxMs: 1000, connectRetryMs: 2000,
    ...over,
  };
}

export const vip = (prefix: string, med = 100): Route => ({ prefix, med });

/**
 * When VIPD_CAPTURE_DIR is set (regenerating test/fixtures/pcaps/speaker), records the test's BGP
 * traffic with tcpdump into that folder as `name`.pcap; otherwise does nothing.
 */
export async function recordIfAsked(t: { teardown(fn: () => unknown): void }, name: string, host: string): Promise<void> {
  const dir = process.env.VIPD_CAPTURE_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const cap = await startCapture({ iface: 'lo', filter: `tcp and host ${host}`, file: join(dir, `${name}.pcap`) });
  t.teardown(() => cap.stop());
}
