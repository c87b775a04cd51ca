/**
 * The seed's ActiveConn diagnosis as a pure rule (issue 16 §2): "Active connections for the
 * problem server are depressed, inactive connections normal or above normal ... in wlc mode,
 * LVS load balances based on the ActiveConn column, meaning that servers that are down get all
 * the traffic." A server is flagged when, averaged over the window and in the latest sample,
 * its share of active connections is far below its share of weight while its share of inactive
 * or new connections is at or above it.
 */

/** One realserver in one reading of the kernel's counters. */
export interface ServerSample {
  /** The realserver as IPVS lists it (vipd puts one per address in a service). */
  readonly address: string;
  readonly weight: number;
  readonly active: number;
  readonly inactive: number;
  /** New connections per second. */
  readonly cps: number;
}

/**
 * One reading of one service by column, `at` in ms (any monotonic origin): server i is address[i]
 * with weight[i], active[i]... A service's last readings are kept (two windows and one more): as
 * an object per server they were 2.75 MB of the main heap at 10,000 realservers (sampleOf).
 */
export interface ServiceSample {
  readonly at: number;
  readonly address: readonly string[];
  readonly weight: Float64Array;
  readonly active: Float64Array;
  readonly inactive: Float64Array;
  readonly cps: Float64Array;
}

/**
 * A reading as columns. An address equal to `previous`'s at the same place shares its string (the
 * kernel lists a service's servers in a stable order; each read makes new strings).
 */
export function sampleOf(at: number, servers: readonly ServerSample[], previous?: ServiceSample): ServiceSample {
  const n = servers.length;
  const out = { at, address: new Array<string>(n), weight: new Float64Array(n), active: new Float64Array(n), inactive: new Float64Array(n), cps: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const x = servers[i]!, kept = previous?.address[i];
    out.address[i] = kept === x.address ? kept : x.address;
    out.weight[i] = x.weight;
    out.active[i] = x.active;
    out.inactive[i] = x.inactive;
    out.cps[i] = x.cps;
  }
  return out;
}

/** Server i of a reading. */
const serverAt = (r: ServiceSample, i: number): ServerSample =>
  ({ address: r.address[i]!, weight: r.weight[i]!, active: r.active[i]!, inactive: r.inactive[i]!, cps: r.cps[i]! });

export interface BlackholeOptions {
  /** How long the pattern must hold; a server must also have been pooled (weight > 0) this long. */
  readonly windowMs: number;
  /** "Far below": active share at most this fraction of the weight share. Default 0.25. */
  readonly activeFraction?: number;
  /** The server must take at least this many inactive entries, or 1 new connection/s. Default 5. */
  readonly minInactive?: number;
  /** Below this many entries (active + inactive) per reading the service is idle: no verdict. Default 10. */
  readonly minServiceConns?: number;
}

export interface BlackholeEvidence {
  readonly active: number;
  readonly inactive: number;
  readonly cps: number;
  /** The other weighted servers' mean, latest reading, rounded. */
  readonly peersActive: number;
  readonly peersInactive: number;
}

export interface BlackholeVerdict {
  readonly server: string;
  readonly evidence: BlackholeEvidence;
}

interface Sums { active: number; inactive: number; cps: number; weight: number }

const sum = (r: ServiceSample): Sums => {
  const out = { active: 0, inactive: 0, cps: 0, weight: 0 };
  for (let i = 0; i < r.address.length; i++) {
    if (r.weight[i]! > 0) { out.active += r.active[i]!; out.inactive += r.inactive[i]!; out.cps += r.cps[i]!; out.weight += r.weight[i]!; }
  }
  return out;
};

function weighted(r: ServiceSample): number {
  let n = 0;
  for (let i = 0; i < r.address.length; i++) if (r.weight[i]! > 0) n++;
  return n;
}

interface Reading { own: ServerSample; all: Sums; peers: number }

/**
 * The pattern in one (possibly averaged) reading: active far below the weight share, inactive or
 * new at or above it. `neutral`: a reading where nobody holds a connection does not count against
 * it (for the latest reading, when the window's mean shows active peers): under wlc a black-holed
 * server draws nearly every new connection, so its peers hold one or two each, and a reading often
 * finds them at 0 (seen in the guest: peers 1 active / 3 inactive, and the depool waited for a read
 * that found one). Such a reading asks for clearly more than the weight share of inactive or new
 * connections (twice it, at most halfway to all), so a healthy service of short connections, all
 * inactive, never fires.
 */
function pattern(r: Reading, o: Required<BlackholeOptions>, neutral = false): boolean {
  const { own, all } = r;
  if (r.peers < 1 || all.active + all.inactive < o.minServiceConns) return false; // one server, or idle
  const peersActive = all.active - own.active;
  const weightShare = own.weight / all.weight;
  let share = weightShare;
  if (peersActive <= 0) {
    if (!neutral || own.active > 0) return false; // nobody holds connections: nothing to compare with
    share = Math.min(2 * weightShare, (1 + weightShare) / 2); // no active to compare: it must draw clearly more than its share
  } else if (own.active / all.active > o.activeFraction * weightShare) return false;
  if (own.inactive < o.minInactive && own.cps < 1) return false; // no traffic reaches it
  return (all.inactive > 0 && own.inactive / all.inactive >= share) || (all.cps > 0 && own.cps / all.cps >= share);
}

const DEFAULTS = { activeFraction: 0.25, minInactive: 5, minServiceConns: 10 };

/**
 * The black-holed servers of one service, from its readings in time order (the caller keeps
 * at least a window and one reading more). Never fires for an idle service, a service with one
 * weighted server, a server at weight 0, a server whose active count rises over the window
 * (long-lived connections building up), or one pooled for less than the window.
 */
export function blackholed(samples: readonly ServiceSample[], options: BlackholeOptions): BlackholeVerdict[] {
  const o: Required<BlackholeOptions> = { ...DEFAULTS, ...options };
  const latest = samples[samples.length - 1];
  if (!latest) return [];
  const start = latest.at - o.windowMs;
  let first = samples.length - 1;
  while (first > 0 && samples[first - 1]!.at > start) first--;
  const window = samples.slice(first);
  if (window.length < 2 || first === 0) return []; // no reading from before the window: too short a history
  const out: BlackholeVerdict[] = [];
  // a healthy 10,000-server service costs one pass over its latest reading; a suspect is looked up
  // in the earlier readings at its own position (the kernel lists a service's servers in a stable
  // order), and a reading is indexed by address only when that misses
  const readings = samples.slice(first - 1);
  const indexes: (Map<string, number> | undefined)[] = [];
  const find = (r: number, address: string, at: number): ServerSample | undefined => {
    const x = readings[r]!;
    if (x.address[at] === address) return serverAt(x, at);
    const i = (indexes[r] ??= new Map(x.address.map((a, k) => [a, k]))).get(address);
    return i === undefined ? undefined : serverAt(x, i);
  };
  const all = sum(latest);
  const meanAll = averageSums(window);
  const peers = weighted(latest) - 1;
  // the latest reading may be neutral only if, over the window, somebody held connections
  const neutral = meanAll.active > 0;
  for (let at = 0; at < latest.address.length; at++) {
    if (latest.weight[at]! <= 0) continue;
    const own = serverAt(latest, at);
    if (!pattern({ own, all, peers }, o, neutral)) continue;
    // pooled (weight > 0) in every reading of the window and in the one before it
    const series: ServerSample[] = [];
    for (let r = 0; r < readings.length; r++) {
      const x = find(r, own.address, at);
      if (!x || x.weight <= 0) break;
      series.push(x);
    }
    if (series.length !== window.length + 1) continue;
    const inWindow = series.slice(1);
    if (own.active > inWindow[0]!.active) continue; // connections accumulating: long-lived, not refused
    const mean = average(inWindow, own);
    if (!pattern({ own: mean, all: meanAll, peers }, o)) continue;
    out.push({
      server: own.address,
      evidence: {
        active: own.active, inactive: own.inactive, cps: own.cps,
        peersActive: Math.round((all.active - own.active) / peers), peersInactive: Math.round((all.inactive - own.inactive) / peers),
      },
    });
  }
  return out;
}

function average(xs: readonly ServerSample[], like: ServerSample): ServerSample {
  const n = xs.length;
  const s = { active: 0, inactive: 0, cps: 0 };
  for (const x of xs) { s.active += x.active; s.inactive += x.inactive; s.cps += x.cps; }
  return { address: like.address, weight: like.weight, active: s.active / n, inactive: s.inactive / n, cps: s.cps / n };
}

function averageSums(window: readonly ServiceSample[]): Sums {
  const n = window.length;
  const t = { active: 0, inactive: 0, cps: 0, weight: 0 };
  for (const w of window) { const s = sum(w); t.active += s.active; t.inactive += s.inactive; t.cps += s.cps; }
  t.weight = sum(window[n - 1]!).weight;
  return { active: t.active / n, inactive: t.inactive / n, cps: t.cps / n, weight: t.weight };
}

/** The /alerts wording: `web: 10.255.1.13 looks black-holed: 0 active / 40 inactive, peers 25 active / 5 inactive`. */
export function describeBlackhole(service: string, v: BlackholeVerdict): string {
  const e = v.evidence;
  return `${service}: ${v.server} looks black-holed: ${e.active} active / ${e.inactive} inactive, `
    + `peers ${e.peersActive} active / ${e.peersInactive} inactive`;
}
