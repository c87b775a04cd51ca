import { serverId, serviceId, type ServiceKey } from './model.js';
import { IpvsParseError, parseHostPort } from './parse-save.js';

/** `ipvsadm -Ln --stats --exact`: totals since the service was added. */
export interface Counters {
  readonly conns: number; readonly inPackets: number; readonly outPackets: number;
  readonly inBytes: number; readonly outBytes: number;
}
/** `ipvsadm -Ln --rate --exact`: per-second rates estimated by the kernel. */
export interface Rates {
  readonly cps: number; readonly inPps: number; readonly outPps: number;
  readonly inBps: number; readonly outBps: number;
}
export interface ServerRow<T> { readonly address: string; readonly port: number; readonly values: T }
export interface ServiceRow<T> { readonly key: ServiceKey; readonly totals: T; readonly servers: readonly ServerRow<T>[] }

interface RawLine { line: number; nums: number[] }
interface RawRow extends RawLine { key: ServiceKey; servers: (RawLine & { address: string; port: number })[] }

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** `%llu`, or ipvsadm's abbreviated `123K`/`M`/`G`/`T` form when --exact was not given. */
function num(tok: string): number | null {
  const m = /^(\d+)([KMGT]?)$/.exec(tok);
  return m ? Number(m[1]) * (m[2] ? SUFFIX[m[2]]! : 1) : null;
}

function trailingNumbers(tokens: string[], from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < tokens.length; i++) {
    const n = num(tokens[i]!);
    if (n === null) return [];
    out.push(n);
  }
  return out;
}

function listingKey(tokens: string[]): { key: ServiceKey; next: number } {
  const [proto, spec] = tokens;
  if (proto === 'TCP' || proto === 'UDP') {
    return { key: { protocol: proto === 'TCP' ? 'tcp' : 'udp', ...parseHostPort(spec ?? '') }, next: 2 };
  }
  if (proto === 'FWM' && spec && /^\d+$/.test(spec)) {
    const v6 = tokens[2] === 'IPv6';
    return { key: { protocol: 'fwmark', mark: Number(spec), family: v6 ? 'inet6' : 'inet' }, next: v6 ? 3 : 2 };
  }
  throw new Error(`unknown service line starting '${proto ?? ''} ${spec ?? ''}'`);
}

/** The rows of any `ipvsadm -Ln` view: services, their realservers, and the numbers on each line. */
function parseRows(text: string, source: string): RawRow[] {
  const rows: RawRow[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || /^(IP Virtual Server|Prot |\s+-> RemoteAddress)/.test(line)) return;
    const tokens = line.trim().split(/\s+/);
    try {
      if (tokens[0] === '->') {
        const row = rows[rows.length - 1];
        if (!row) throw new Error('realserver line before any service');
        row.servers.push({ ...parseHostPort(tokens[1] ?? ''), line: i + 1, nums: trailingNumbers(tokens, 2) });
      } else {
        const { key, next } = listingKey(tokens);
        rows.push({ key, line: i + 1, nums: trailingNumbers(tokens, next), servers: [] });
      }
    } catch (e) {
      throw new IpvsParseError(source, i + 1, e instanceof Error ? e.message : String(e));
    }
  });
  return rows;
}

function fiveColumns<T>(text: string, source: string, header: RegExp, make: (n: number[]) => T): ServiceRow<T>[] {
  if (text.trim() && !header.test(text)) throw new IpvsParseError(source, 2, `expected the header ${header.source}`);
  const make5 = (r: RawLine): T => {
    if (r.nums.length !== 5) throw new IpvsParseError(source, r.line, `expected 5 numbers, got ${r.nums.length}`);
    return make(r.nums);
  };
  return parseRows(text, source).map((r) => ({
    key: r.key,
    totals: make5(r),
    servers: r.servers.map((s) => ({ address: s.address, port: s.port, values: make5(s) })),
  }));
}

export function parseStats(text: string, source = 'ipvsadm -Ln --stats'): ServiceRow<Counters>[] {
  return fiveColumns(text, source, /Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes/, ([conns, inPackets, outPackets, inBytes, outBytes]) =>
    ({ conns: conns!, inPackets: inPackets!, outPackets: outPackets!, inBytes: inBytes!, outBytes: outBytes! }));
}

export function parseRate(text: string, source = 'ipvsadm -Ln --rate'): ServiceRow<Rates>[] {
  return fiveColumns(text, source, /CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS/, ([cps, inPps, outPps, inBps, outBps]) =>
    ({ cps: cps!, inPps: inPps!, outPps: outPps!, inBps: inBps!, outBps: outBps! }));
}

export interface Thresholds { readonly upper: number; readonly lower: number }

/** `ipvsadm -Ln --thresholds --exact` → service id → server id → thresholds (-Sn lacks them). */
export function parseThresholds(text: string, source = 'ipvsadm -Ln --thresholds'): Map<string, Map<string, Thresholds>> {
  if (text.trim() && !/Uthreshold\s+Lthreshold/.test(text)) throw new IpvsParseError(source, 2, 'expected the Uthreshold Lthreshold header');
  const out = new Map<string, Map<string, Thresholds>>();
  for (const r of parseRows(text, source)) {
    const m = new Map<string, Thresholds>();
    for (const s of r.servers) {
      if (s.nums.length !== 4) throw new IpvsParseError(source, s.line, `expected 4 numbers, got ${s.nums.length}`);
      m.set(serverId(s), { upper: s.nums[0]!, lower: s.nums[1]! });
    }
    out.set(serviceId(r.key), m);
  }
  return out;
}
