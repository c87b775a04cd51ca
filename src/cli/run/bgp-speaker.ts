/** The daemon's BGP speaker: in a thread of its own (bgp-thread.ts says why), or in this one. */
import type { Logger } from '../../log/logger.js';
import { Speaker, type SpeakerConfig, type SpeakerControl } from '../../speaker/index.js';
import { systemClock, type Clock } from '../../time/clock.js';
import { BgpThread } from './bgp-thread.js';
import { secureSockets } from './tcp-security.js';

/**
 * In a worker thread on the system clock; in this thread with an injected clock (a test's fake
 * clock cannot cross threads) or with VIPD_BGP_THREAD=0 (to compare; docs/bfd.md). Throws naming
 * every problem in `config`.
 */
export function bgpSpeaker(config: SpeakerConfig, clock: Clock, log: Logger): SpeakerControl {
  const sockets = secureSockets();
  if (clock !== systemClock || process.env.VIPD_BGP_THREAD === '0') return new Speaker(config, clock, log, sockets);
  return new BgpThread(config, log, sockets !== undefined);
}
