import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions of the native addon in native/ (built by `npm install`). */
export interface NativeAddon {
  init(onResult: (slot: number, code: number, phase: number, head: string | undefined) => void): void;
  start(ip: string, port: number, request: Buffer): number;
  cancel(slot: number): number;
  /** How many probes may hold a socket at once (RLIMIT_NOFILE less a reserve); absent in older builds. */
  probeBudget?(): number;
  /** SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT; 0 or a negative errno. */
  setKeepalive(fd: number, idleS: number, intervalS: number, count: number): number;
  /** Checks through the data path (native/datapath.c, src/health/datapath/probe.ts); absent in older builds. */
  dpStart?(mode: 0 | 1, ifindex: number, mac: Buffer | null, outer: string | null, vip: number, vport: number, sport: number,
    packet: Buffer, onReply: (reply: Buffer | number) => void): number;
  dpStop?(id: number, packet: Buffer | null): number;
  /** execv(2): returns (a negative errno) only when it fails; absent in older builds (src/cli/run/heap-flags.ts). */
  reexec?(path: string, argv: string[]): number;
  /** glibc's M_MMAP_THRESHOLD: 0 or a negative errno; absent in older builds (src/cli/run/malloc-tune.ts). */
  mallocMmapThreshold?(bytes: number): number;
  /** glibc's malloc_trim(0): 1 when memory went back to the kernel, else 0 (negative: not glibc). */
  mallocTrim?(): number;
}

const ADDON = 'native/build/Release/vipd_native.node';

let addon: NativeAddon | null | undefined;
let unavailable = '';

function findAddon(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'native', 'binding.gyp'))) {
      const file = join(dir, ADDON);
      return existsSync(file) ? file : null;
    }
    dir = dirname(dir);
  }
  return null;
}

function load(): NativeAddon | null {
  if (process.env.VIPD_NATIVE === '0') { unavailable = 'switched off by VIPD_NATIVE=0'; return null; }
  const file = findAddon();
  if (!file) { unavailable = `${ADDON} is not built (npm run build:native)`; return null; }
  try {
    return createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    unavailable = `${ADDON} does not load: ${(e as Error).message}`;
    return null;
  }
}

/** The addon, or null when it is not built, does not load, or is switched off (VIPD_NATIVE=0). */
export function nativeAddon(): NativeAddon | null {
  if (addon === undefined) addon = load();
  return addon;
}

/** Why `nativeAddon()` is null ('' while it is in use), for the daemon's start-up log. */
export function nativeAddonUnavailable(): string {
  nativeAddon();
  return unavailable;
}
