// The soak's realservers: one Node process answering HTTP 200 on many loopback addresses (one
// listener each), recording when each address was checked, so late and missed checks are seen
// from the backend's side. Started by bench/soak.ts with an IPC channel:
//   argv: <first address, e.g. 127.77.0.1> <count> <port> <measured: the first N, never churned>
//   messages in: 'stats' (reply: BackendStats), 'reset' (start a new window)
import { createServer, type Server } from 'node:http';

export interface BackendStats {
  /** Addresses that answered a check in the window. */
  checked: number;
  requests: number;
  /** Gaps between two checks of one address over 1.5 and over 2 check intervals (1 s). */
  late: number;
  missed: number;
  maxGapMs: number;
  /** Addresses never checked in the window. */
  silent: string[];
  /** When (epoch ms) the first 2,000 late gaps (> 1.5 s) ended, and their lengths: to line them up with the soak's events. */
  lateAt: Array<[number, number]>;
}

export function addressAt(first: string, i: number): string {
  const [a, b, c, d] = first.split('.').map(Number) as [number, number, number, number];
  const n = ((b << 16) | (c << 8) | d) + i;
  return `${a}.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

async function main(): Promise<void> {
  const [first, countText, portText, measuredText] = process.argv.slice(2);
  const count = Number(countText);
  const port = Number(portText);
  const measured = new Set(Array.from({ length: Number(measuredText ?? count) }, (_, i) => addressAt(first!, i)));
  const last = new Map<string, number>();
  let stats = { requests: 0, late: 0, missed: 0, maxGapMs: 0 };
  let lateAt: Array<[number, number]> = [];
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const address = addressAt(first!, i);
    const server = createServer((req, res) => {
      const now = Date.now();
      const prev = last.get(address);
      if (prev !== undefined && measured.has(address)) {
        const gap = now - prev;
        if (gap > 1500) { stats.late++; if (lateAt.length < 2000) lateAt.push([now, gap]); }
        if (gap > 2000) stats.missed++;
        if (gap > stats.maxGapMs) stats.maxGapMs = gap;
      }
      last.set(address, now);
      stats.requests++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 3 });
      res.end('ok\n');
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen({ host: address, port, backlog: 1024 }, resolve); });
    servers.push(server);
  }
  let windowStart = Date.now();
  process.on('message', (m: unknown) => {
    if (m === 'reset') { stats = { requests: 0, late: 0, missed: 0, maxGapMs: 0 }; lateAt = []; last.clear(); windowStart = Date.now(); return; }
    if (m !== 'stats') return;
    const silent: string[] = [];
    for (const a of measured) {
      const t = last.get(a);
      if (t === undefined || t < windowStart) silent.push(a);
    }
    const reply: BackendStats = { checked: measured.size - silent.length, ...stats, silent, lateAt };
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.('ready');
}

if (process.send) await main();
