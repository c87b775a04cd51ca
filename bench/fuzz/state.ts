// The campaign's state file: per target, how many inputs are done and what failed, so a
// stopped campaign resumes where it stopped (same seed, same inputs).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FailureRecord { kind: string; signature: string; index: number; file: string | null; message: string }

export interface TargetState {
  done: number;
  /** Wall time spent on this target so far, ms. */
  ms: number;
  failures: FailureRecord[];
  /** Further failures with a signature already recorded. */
  repeats: number;
  /** Apparent hangs that ran to an end when retried in a fresh worker (the machine stalled). */
  stalls?: number;
}

export interface CampaignState { version: 1; seed: number; targets: Record<string, TargetState> }

export function loadState(path: string, seed: number): CampaignState {
  if (!existsSync(path)) return { version: 1, seed, targets: {} };
  const s = JSON.parse(readFileSync(path, 'utf8')) as CampaignState;
  if (s.version !== 1 || typeof s.targets !== 'object') throw new Error(`${path}: not a fuzz state file`);
  if (s.seed !== seed) throw new Error(`${path}: holds a campaign with seed ${s.seed}, not ${seed}; pass --seed ${s.seed} to resume it or another --state for a new one`);
  return s;
}

export function targetState(s: CampaignState, name: string): TargetState {
  return (s.targets[name] ??= { done: 0, ms: 0, failures: [], repeats: 0 });
}

/** Written to a temporary file and renamed, so a kill mid-write leaves the last good state. */
export function saveState(path: string, s: CampaignState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(s, null, 1)}\n`);
  renameSync(`${path}.tmp`, path);
}
