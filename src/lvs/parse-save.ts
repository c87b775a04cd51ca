import {
  canonicalAddress, isScheduler, normalizeService, serviceId,
  type Forwarding, type Persistence, type RealServer, type ServiceKey, type VirtualService,
} from './model.js';
import { eachLine, eachLineSliced } from '../time/slices.js';

/** Output of ipvsadm that vipd cannot read; names the line. */
export class IpvsParseError extends Error {
  constructor(readonly source: string, readonly line: number, readonly reason: string) {
    super(`${source} line ${line}: ${reason}`);
    this.name = 'IpvsParseError';
  }
}

/** `10.0.0.1:80` or `[2001:db8::1]:80` → address and port. */
export function parseHostPort(text: string): { address: string; port: number } {
  const m = text.startsWith('[') ? /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(text) : /^([0-9.]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`'${text}' is not address:port (IPv6 in brackets)`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`port ${port} in '${text}' is above 65535`);
  return { address: canonicalAddress(m[1]!), port };
}

const int = (s: string | undefined, what: string): number => {
  const n = s === undefined || s === '' ? NaN : Number(s);
  if (!Number.isSafeInteger(n) || n < 0 || !/^\d+$/.test(s!)) throw new Error(`${what} must be a non-negative integer, got '${s ?? ''}'`);
  return n;
};

/** Reads the service spec at the start of `args`; returns the key and the index after it. */
function readServiceKey(args: string[]): { key: ServiceKey; next: number } {
  const [flag, value] = args;
  if (flag === '-t' || flag === '-u') {
    const hp = parseHostPort(value ?? '');
    return { key: { protocol: flag === '-t' ? 'tcp' : 'udp', ...hp }, next: 2 };
  }
  if (flag === '-f') {
    const mark = int(value, 'fwmark');
    const v6 = args[2] === '-6';
    return { key: { protocol: 'fwmark', mark, family: v6 ? 'inet6' : 'inet' }, next: v6 ? 3 : 2 };
  }
  throw new Error(`expected -t, -u or -f after the command, got '${flag ?? ''}'`);
}

function parseService(args: string[]): VirtualService {
  const { key, next } = readServiceKey(args);
  let scheduler = 'wlc';
  let flags: string[] = [];
  let ops = false;
  let persistence: { timeout: number; netmask?: string; engine?: string } | undefined;
  const persist = (): { timeout: number; netmask?: string; engine?: string } => (persistence ??= { timeout: 0 });
  for (let i = next; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-s') scheduler = args[++i] ?? '';
    else if (a === '-b') flags = (args[++i] ?? '').split(',').filter(Boolean);
    else if (a === '-o') ops = true;
    else if (a === '-p') persist().timeout = int(args[++i], 'persistence timeout');
    else if (a === '-M') persist().netmask = args[++i] ?? '';
    else if (a === '--pe') persist().engine = args[++i] ?? '';
    else throw new Error(`unknown service option '${a}'`);
  }
  if (!isScheduler(scheduler)) throw new Error(`unknown scheduler '${scheduler}'`);
  const p: Persistence | undefined = persistence;
  return normalizeService({ key, scheduler, flags, ops, ...(p ? { persistence: p } : {}), realServers: [] });
}

function parseServer(args: string[]): { key: ServiceKey; server: RealServer } {
  const { key, next } = readServiceKey(args);
  if (args[next] !== '-r') throw new Error(`expected -r after the service, got '${args[next] ?? ''}'`);
  const { address, port } = parseHostPort(args[next + 1] ?? '');
  let forwarding: Forwarding = 'route';
  let weight = 1;
  let upperThreshold = 0;
  let lowerThreshold = 0;
  let extra: string[] | undefined;
  for (let i = next + 2; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '-g': forwarding = 'route'; break;
      case '-i': forwarding = 'tunnel'; break;
      case '-m': forwarding = 'masq'; break;
      case '-w': weight = int(args[++i], 'weight'); break;
      case '-x': upperThreshold = int(args[++i], 'upper threshold'); break;
      case '-y': lowerThreshold = int(args[++i], 'lower threshold'); break;
      default:
        if (a === '--tun-type' && args[i + 1] === 'ipip') i++; // the default tunnel type
        else (extra ??= []).push(a);
    }
  }
  return { key, server: { address, port, forwarding, weight, upperThreshold, lowerThreshold, extra: extra ?? NONE } };
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * `ipvsadm -Sn` (also what `ipvsadm -R` reads), one line at a time: linear in the lines, so a
 * caller can feed a long read-back in slices (issue 13 §5). Thresholds are not in this format
 * (ipvsadm does not save them): they come out as 0; see parseListing for the real values.
 */
export class SaveParser {
  private readonly services = new Map<string, { service: VirtualService; servers: RealServer[] }>();

  constructor(private readonly source = 'ipvsadm -Sn') {}

  line(raw: string, no: number): void {
    const line = raw.trim();
    if (!line) return;
    const args = line.split(/\s+/);
    const cmd = args.shift();
    try {
      if (cmd === '-A') {
        const s = parseService(args);
        const id = serviceId(s.key);
        if (this.services.has(id)) throw new Error('service listed twice');
        this.services.set(id, { service: s, servers: [] });
      } else if (cmd === '-a') {
        const { key, server } = parseServer(args);
        const entry = this.services.get(serviceId(key));
        if (!entry) throw new Error('realserver of a service not listed before it');
        entry.servers.push(server);
      } else throw new Error(`expected -A or -a, got '${cmd}'`);
    } catch (e) {
      throw new IpvsParseError(this.source, no, e instanceof Error ? e.message : String(e));
    }
  }

  /** The table, services in the order listed. */
  result(): VirtualService[] {
    const out: VirtualService[] = [];
    for (const { service, servers } of this.services.values()) out.push({ ...service, realServers: servers });
    return out;
  }
}

export function parseSave(text: string, source = 'ipvsadm -Sn'): VirtualService[] {
  const p = new SaveParser(source);
  eachLine(text, (line, no) => p.line(line, no));
  return p.result();
}

/** `parseSave`, giving the event loop back every few milliseconds (a 10,000-server read-back). */
export async function parseSaveSliced(text: string, source = 'ipvsadm -Sn'): Promise<VirtualService[]> {
  const p = new SaveParser(source);
  await eachLineSliced(text, (line, no) => p.line(line, no));
  return p.result();
}
