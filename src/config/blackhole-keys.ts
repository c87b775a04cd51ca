/**
 * Issue 16 §1–§2: `ipvs-stats-interval` ([global] only: seconds between reads of the kernel's
 * per-realserver counters, 0 = off), and the black-hole rule's `blackhole-action` (alert | depool)
 * and `blackhole-window` (seconds the pattern must hold), in [global] (defaults) and per service.
 */
import type { SectionReader } from './section-reader.js';

export const BLACKHOLE_KEYS = ['blackhole-action', 'blackhole-window'] as const;
export const STATS_KEYS = ['ipvs-stats-interval', ...BLACKHOLE_KEYS] as const;

export type BlackholeAction = 'alert' | 'depool';
const ACTIONS: readonly BlackholeAction[] = ['alert', 'depool'];

export interface BlackholeConfig {
  blackholeAction: BlackholeAction;
  /** Seconds. */
  blackholeWindow: number;
}

export const BLACKHOLE_DEFAULTS: BlackholeConfig = { blackholeAction: 'alert', blackholeWindow: 60 };

export function readBlackhole(r: SectionReader, base: BlackholeConfig): BlackholeConfig {
  return {
    blackholeAction: r.choice('blackhole-action', ACTIONS, base.blackholeAction)!,
    blackholeWindow: r.num('blackhole-window', base.blackholeWindow, { min: 1, max: 86400 })!,
  };
}

/** Seconds between counter reads; 0 turns the reads (and the black-hole rule) off. */
export const readStatsInterval = (r: SectionReader): number => r.num('ipvs-stats-interval', 10, { min: 0, max: 86400 })!;
