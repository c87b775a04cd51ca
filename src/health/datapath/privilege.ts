/**
 * Whether this process can send checks through the data path at all (issue 16 §3, blast radius):
 * the native addon with its datapath part, and CAP_NET_RAW in the effective set (both socket kinds
 * of docs/health-datapath.md need it). Asked at start, at reload and by check-config, so a
 * `tcp.via-vip` the process cannot honour is a config error, not every check of the service down.
 */
import { readFileSync } from 'node:fs';
import { nativeAddon, nativeAddonUnavailable, type NativeAddon } from '../monitors/native-addon.js';

/** capability(7): CAP_NET_RAW is bit 13. */
export const CAP_NET_RAW = 13;

/** The effective capability set from /proc/self/status text (`CapEff:\t0000003fffffffff`), or null when absent. */
export function effectiveCaps(status: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export const hasCap = (caps: bigint, cap: number): boolean => ((caps >> BigInt(cap)) & 1n) === 1n;

export interface DataPathEnv {
  /** /proc/self/status text (throws when it cannot be read). */
  status(): string;
  addon(): NativeAddon | null;
  /** Why the addon is null. */
  addonWhy(): string;
}

const SYSTEM: DataPathEnv = { status: () => readFileSync('/proc/self/status', 'utf8'), addon: nativeAddon, addonWhy: nativeAddonUnavailable };

/**
 * Why `option` (e.g. `tcp.via-vip`) cannot work in this process, or null when it can. The wording
 * starts `<option> needs ...` so a config error reads "tcp.via-vip needs CAP_NET_RAW: ...".
 */
export function dataPathUnavailable(option: string, env: DataPathEnv = SYSTEM): string | null {
  const addon = env.addon();
  if (!addon?.dpStart || !addon.dpStop) {
    return `${option} needs the native addon with data-path support: ${addon ? 'this build has none (rebuild: npm run build:native)' : env.addonWhy()}`;
  }
  let caps: bigint | null;
  try { caps = effectiveCaps(env.status()); } catch { caps = null; }
  if (caps === null) return null; // not Linux's /proc: the send itself will tell (no verdict, an alert)
  if (!hasCap(caps, CAP_NET_RAW)) {
    return `${option} needs CAP_NET_RAW: this process lacks it (effective capabilities 0x${caps.toString(16)}); `
      + 'grant it (AmbientCapabilities=CAP_NET_RAW, docs/health-datapath.md) or drop the option';
  }
  return null;
}
