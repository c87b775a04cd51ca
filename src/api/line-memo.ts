/**
 * The per-server families' lines of the last kept render, so that a family none of whose values
 * changed is copied from that body instead of written again (issue 13: at 10,000 realservers the
 * API worker renders /metrics every second while scraped, and from one second to the next only the
 * result counters and durations move; transitions, down results, status, pooled and up stay).
 *
 * Its lines are the same when the series are the same (service, host and monitor, in the same
 * order) and each value is the same: the keys are compared once per render, the values per family.
 * What the render under way writes becomes the memo only with the body it completes (commit): a
 * render that fails leaves the last one, whose body is the one still kept. Pure.
 */
import type { PoolStatus } from '../coordinator/status.js';

interface Written { start: number; end: number; values: Float64Array }

interface Render {
  body: Buffer | null;
  /** The series in order: service, host, monitor per monitor line; service, host per server line. */
  monitorKeys: string[] | null;
  serverKeys: string[] | null;
  families: Map<string, Written>;
}

const fresh = (): Render => ({ body: null, monitorKeys: null, serverKeys: null, families: new Map() });

/** A value that writes no line (a monitor without a result yet) is NaN here. */
const same = (a: Float64Array, b: Float64Array): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i] !== a[i] && b[i] !== b[i])) return false;
  return true;
};

function sameKeys(a: readonly string[] | null, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class LineMemo {
  private last: Render = fresh();
  private next: Render = fresh();
  private keysSame = { monitor: false, server: false };
  /** Families copied and written since the start (tests and benches read them). */
  copied = 0;
  written = 0;

  /** A render begins over `pools`: its series are compared with the last render's once. */
  begin(pools: readonly PoolStatus[]): void {
    this.next = fresh();
    const monitorKeys: string[] = [], serverKeys: string[] = [];
    for (const p of pools) {
      for (const s of p.servers) {
        serverKeys.push(p.name, s.host);
        for (const m of s.monitors) monitorKeys.push(p.name, s.host, m.name);
      }
    }
    this.next.monitorKeys = monitorKeys;
    this.next.serverKeys = serverKeys;
    this.keysSame = { monitor: sameKeys(this.last.monitorKeys, monitorKeys), server: sameKeys(this.last.serverKeys, serverKeys) };
  }

  /**
   * The last body's bytes for `family` when its series (`kind`) and `values` are what it wrote
   * then, else null. Either way the caller writes the family at `start` and says where it ended.
   */
  reusable(family: string, kind: 'monitor' | 'server', values: Float64Array): { body: Buffer; start: number; end: number } | null {
    const was = this.last.families.get(family);
    if (!was || !this.last.body || !this.keysSame[kind] || !same(was.values, values)) { this.written++; return null; }
    this.copied++;
    return { body: this.last.body, start: was.start, end: was.end };
  }

  wrote(family: string, start: number, end: number, values: Float64Array): void {
    this.next.families.set(family, { start, end, values });
  }

  /** The render completed as `body`: what it wrote is what the next render compares with. */
  commit(body: Buffer): void {
    this.next.body = body;
    this.last = this.next;
    this.next = fresh();
  }
}
