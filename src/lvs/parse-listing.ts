import { serverId, serviceId, type ServiceKey } from './model.js';
import { IpvsParseError, parseHostPort } from './parse-save.js';
import { eachLine, eachLineSliced } from '../time/slices.js';

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
  if (DIGITS.test(tok)) return Number(tok); // the --exact hot path: one test, no match array
  const m = /^(\d+)([KMGT]?)$/.exec(tok);
  return m ? Number(m[1]) * (m[2] ? SUFFIX[m[2]]! : 1) : null;
}
const DIGITS = /^\d+$/;

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

const HEADER_LINE = /^(IP Virtual Server|Prot |\s+-> RemoteAddress)/;

/** The rows of any `ipvsadm -Ln` view, a line at a time: services, their realservers, the numbers on each line. */
class RowParser {
  readonly rows: RawRow[] = [];
  constructor(private readonly source: string) {}

  line(line: string, no: number): void {
    const text = line.trim();
    if (!text || HEADER_LINE.test(line)) return;
    const tokens = text.split(/\s+/);
    try {
      if (tokens[0] === '->') {
        const row = this.rows[this.rows.length - 1];
        if (!row) throw new Error('realserver line before any service');
        // the plain listing names the forwarding method before its numbers (`Masq 10 0 0`)
        const from = tokens[2] !== undefined && num(tokens[2]) === null ? 3 : 2;
        row.servers.push({ ...parseHostPort(tokens[1] ?? ''), line: no, nums: trailingNumbers(tokens, from) });
      } else {
        const { key, next } = listingKey(tokens);
        this.rows.push({ key, line: no, nums: trailingNumbers(tokens, next), servers: [] });
      }
    } catch (e) {
      throw new IpvsParseError(this.source, no, e instanceof Error ? e.message : String(e));
    }
  }
}

/** Parses `text` as one listing, at once or (sliced) giving the event loop back every few ms. */
function parseRows(text: string, source: string, sliced: true): Promise<RawRow[]>;
function parseRows(text: string, source: string, sliced: false): RawRow[];
function parseRows(text: string, source: string, sliced: boolean): RawRow[] | Promise<RawRow[]> {
  const p = new RowParser(source);
  const each = (line: string, no: number): void => p.line(line, no);
  if (sliced) return eachLineSliced(text, each).then(() => p.rows);
  eachLine(text, each);
  return p.rows;
}

interface Columns<T> { readonly header: RegExp; readonly make: (n: number[]) => T }

function checkHeader(text: string, source: string, header: RegExp, what: string): void {
  if (text.trim() && !header.test(text)) throw new IpvsParseError(source, 2, `expected ${what}`);
}

function fiveColumns<T>(rows: RawRow[], source: string, make: (n: number[]) => T): ServiceRow<T>[] {
  const make5 = (r: RawLine): T => {
    if (r.nums.length !== 5) throw new IpvsParseError(source, r.line, `expected 5 numbers, got ${r.nums.length}`);
    return make(r.nums);
  };
  return rows.map((r) => ({
    key: r.key,
    totals: make5(r),
    servers: r.servers.map((s) => ({ address: s.address, port: s.port, values: make5(s) })),
  }));
}

const STATS: Columns<Counters> = {
  header: /Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes/,
  make: ([conns, inPackets, outPackets, inBytes, outBytes]) =>
    ({ conns: conns!, inPackets: inPackets!, outPackets: outPackets!, inBytes: inBytes!, outBytes: outBytes! }),
};
const RATE: Columns<Rates> = {
  header: /CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS/,
  make: ([cps, inPps, outPps, inBps, outBps]) => ({ cps: cps!, inPps: inPps!, outPps: outPps!, inBps: inBps!, outBps: outBps! }),
};

function listing<T>(text: string, source: string, c: Columns<T>): ServiceRow<T>[] {
  checkHeader(text, source, c.header, `the header ${c.header.source}`);
  return fiveColumns(parseRows(text, source, false), source, c.make);
}

export const parseStats = (text: string, source = 'ipvsadm -Ln --stats'): ServiceRow<Counters>[] => listing(text, source, STATS);
export const parseRate = (text: string, source = 'ipvsadm -Ln --rate'): ServiceRow<Rates>[] => listing(text, source, RATE);

/** `parseStats`, giving the event loop back every few milliseconds (10,000 realservers). */
export async function parseStatsSliced(text: string, source = 'ipvsadm -Ln --stats'): Promise<ServiceRow<Counters>[]> {
  checkHeader(text, source, STATS.header, `the header ${STATS.header.source}`);
  return fiveColumns(await parseRows(text, source, true), source, STATS.make);
}

/** `ipvsadm -Ln --exact`: each realserver's weight and connection entries (the seed's ActiveConn/InActConn columns). */
export interface Connections { readonly weight: number; readonly active: number; readonly inactive: number }

const CONNECTIONS = /Weight\s+ActiveConn\s+InActConn/;

/** The service line has no numbers in this view: its totals are its servers' sums. */
function connectionRows(rows: RawRow[], source: string): ServiceRow<Connections>[] {
  return rows.map((r) => {
    const totals = { weight: 0, active: 0, inactive: 0 };
    const servers = r.servers.map((s) => {
      if (s.nums.length !== 3) throw new IpvsParseError(source, s.line, `expected 3 numbers, got ${s.nums.length}`);
      const values = { weight: s.nums[0]!, active: s.nums[1]!, inactive: s.nums[2]! };
      totals.weight += values.weight; totals.active += values.active; totals.inactive += values.inactive;
      return { address: s.address, port: s.port, values };
    });
    return { key: r.key, totals, servers };
  });
}

/** `ipvsadm -Ln --exact` → per service its realservers' weight, ActiveConn and InActConn (no service totals). */
export function parseConnections(text: string, source = 'ipvsadm -Ln'): ServiceRow<Connections>[] {
  checkHeader(text, source, CONNECTIONS, 'the Weight ActiveConn InActConn header');
  return connectionRows(parseRows(text, source, false), source);
}

/** `parseConnections`, giving the event loop back every few milliseconds (10,000 realservers). */
export async function parseConnectionsSliced(text: string, source = 'ipvsadm -Ln'): Promise<ServiceRow<Connections>[]> {
  checkHeader(text, source, CONNECTIONS, 'the Weight ActiveConn InActConn header');
  return connectionRows(await parseRows(text, source, true), source);
}

/** `parseRate`, giving the event loop back every few milliseconds. */
export async function parseRateSliced(text: string, source = 'ipvsadm -Ln --rate'): Promise<ServiceRow<Rates>[]> {
  checkHeader(text, source, RATE.header, `the header ${RATE.header.source}`);
  return fiveColumns(await parseRows(text, source, true), source, RATE.make);
}

export interface Thresholds { readonly upper: number; readonly lower: number }

const THRESHOLDS = /Uthreshold\s+Lthreshold/;

function thresholdMap(rows: RawRow[], source: string): Map<string, Map<string, Thresholds>> {
  const out = new Map<string, Map<string, Thresholds>>();
  for (const r of rows) {
    const m = new Map<string, Thresholds>();
    for (const s of r.servers) {
      if (s.nums.length !== 4) throw new IpvsParseError(source, s.line, `expected 4 numbers, got ${s.nums.length}`);
      m.set(serverId(s), { upper: s.nums[0]!, lower: s.nums[1]! });
    }
    out.set(serviceId(r.key), m);
  }
  return out;
}

/** `ipvsadm -Ln --thresholds --exact` → service id → server id → thresholds (-Sn lacks them). */
export function parseThresholds(text: string, source = 'ipvsadm -Ln --thresholds'): Map<string, Map<string, Thresholds>> {
  checkHeader(text, source, THRESHOLDS, 'the Uthreshold Lthreshold header');
  return thresholdMap(parseRows(text, source, false), source);
}

/** `parseThresholds`, giving the event loop back every few milliseconds. */
export async function parseThresholdsSliced(text: string, source = 'ipvsadm -Ln --thresholds'): Promise<Map<string, Map<string, Thresholds>>> {
  checkHeader(text, source, THRESHOLDS, 'the Uthreshold Lthreshold header');
  return thresholdMap(await parseRows(text, source, true), source);
}
