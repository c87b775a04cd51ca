/**
 * The API worker thread: it owns the listening sockets, HTTP parsing, the limits and the
 * rendering, so no number of clients can take time from the main thread's event loop (health
 * checks, BGP keepalives). It reads the status from the main thread by message, through a
 * single-flight, rate-bounded SnapshotCache, as deltas applied to its own copy (status-copy.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { handle, type HandlerContext } from './handler.js';
import { keptTimes, MetricsCache, scrapeAnswer } from './metrics-cache.js';
import { hostAllowed, localAddresses } from './host-check.js';
import { DEFAULT_LIMITS, type BindFailure, type MainMessage, type WorkerConfig, type WorkerMessage } from './protocol.js';
import { ClientRateLimiter, LimitReporter } from './rate-limit.js';
import { SnapshotCache } from './snapshot-cache.js';
import { redactInPlace } from './snapshot.js';
import { StatusCopy } from './status-copy.js';
import { testCrash } from './test-crash.js';
import { TurnQueue } from './turn-queue.js';
import type { StatusSnapshot, WriteAnswer } from './types.js';

const SNAPSHOT_TIMEOUT_MS = 5000;
/** A busy main thread does not hold up an answer longer than this once the worker has a copy (issue 13: /metrics within 100 ms). */
const COPY_WAIT_MS = 40;
// Outside a worker thread (someone runs the file) nothing starts.
const port = parentPort;
const cfg = (port ? workerData : { hosts: [], port: 0, limits: DEFAULT_LIMITS }) as WorkerConfig;
const { limits } = cfg;
const post = (m: WorkerMessage): void => port?.postMessage(m);
const now = (): number => performance.now();

let snapshotTimer: NodeJS.Timeout | null = null;
const copy = new StatusCopy();
const cache = new SnapshotCache<StatusSnapshot>({
  now, ratePerSec: limits.snapshotsPerSec, burst: limits.snapshotsPerSec,
  request: () => {
    snapshotTimer = setTimeout(() => cache.reject(new Error(`no status from the main thread within ${SNAPSHOT_TIMEOUT_MS} ms`)),
      SNAPSHOT_TIMEOUT_MS);
    post({ t: 'snapshot' });
  },
});
// /metrics kept rendered (issue 13): re-rendered on a period that stretches with its cost (keptTimes).
const metrics = new MetricsCache({ now });
const METRICS_POLL_MS = 1000;
const METRICS_KEEP_MS = 5 * 60_000;
/** Renders cheaper than this (ms of work) are done on the scrape itself. */
const FRESH_RENDER_MS = 20;
/**
 * …and from this many realservers the kept text is served whatever the last render cost, and kept
 * from the first status on, refreshed while nobody scrapes: the first scrape at 10,000 servers does
 * not wait for a render on the spot (~0.4–1.4 s).
 */
const KEPT_SERVERS = 2000;
/** Until the first status (its size decides), asked this often. */
const FIRST_STATUS_MS = 5000;
let scrapedAt = -Infinity;
let askedAt = -Infinity;
let renderAskedAt = -Infinity;
const scraping = (): boolean => now() - scrapedAt < METRICS_KEEP_MS;
const times = (): { refreshMs: number; maxAgeMs: number } =>
  keptTimes({ scraping: scraping(), big: copy.serverCount >= KEPT_SERVERS, lastRenderMs: metrics.lastRenderMs });
/** A render is due: renders follow this period, not every status reading (an API flood reads one per request). */
const renderDue = (): boolean => now() - renderAskedAt >= times().refreshMs - 100;
const refresher = setInterval(() => {
  if (copy.ready ? renderDue() : now() - askedAt >= FIRST_STATUS_MS - 100) {
    askedAt = now();
    cache.get().catch(() => {});
  }
}, METRICS_POLL_MS);
refresher.unref();
const confirms = new Map<number, (r: { ok: boolean; message: string } | null) => void>();
const writes = new Map<number, (a: WriteAnswer | null) => void>();
let nextId = 1;
const names = new Set((cfg.hostnames ?? []).map((n) => n.toLowerCase().replace(/\.$/, '')));
// Interface addresses, re-read at most once a second (addresses come and go at run time).
let addrs: { at: number; set: ReadonlySet<string> } = { at: -Infinity, set: new Set() };
const ownAddresses = (): ReadonlySet<string> => {
  if (now() - addrs.at > 1000) {
    // Out of file descriptors, os.networkInterfaces() throws: keep the last set rather than fail the request.
    try { addrs = { at: now(), set: new Set([...localAddresses(), ...cfg.hosts]) }; } catch { addrs = { ...addrs, at: now() }; }
  }
  return addrs.set;
};
const limiter = new ClientRateLimiter({ rate: limits.ratePerClient, burst: limits.rateBurst, maxClients: 10_000 });
const reporter = new LimitReporter(10_000);
let lastErrorAt = -Infinity;
let suppressedErrors = 0;

const ctx: HandlerContext = {
  snapshot: () => {
    const fresh = cache.get();
    if (!copy.ready) return fresh;
    return new Promise<StatusSnapshot>((resolve, reject) => {
      const timer = setTimeout(() => resolve(copy.snapshot()), COPY_WAIT_MS);
      fresh.then((s) => { clearTimeout(timer); resolve(s); }, (e: unknown) => { clearTimeout(timer); reject(e as Error); });
    });
  },
  metrics: () => {
    const maxAge = times().maxAgeMs;
    scrapedAt = now();
    const m = metrics.body;
    // A cheap render (a small installation) is done fresh on every scrape, as before, so every gauge is
    // current; a costly one (thousands of servers) is answered from the kept body (one refresh period old at most),
    // or, when that is stale (a stalled main thread or worker), after the one render under way.
    const answer = scrapeAnswer({
      servers: copy.serverCount, keptServers: KEPT_SERVERS, bodyAgeMs: m ? now() - m.at : null, maxAgeMs: maxAge,
      lastRenderMs: metrics.lastRenderMs, freshRenderMs: FRESH_RENDER_MS,
    });
    if (answer === 'kept') return m!.body;
    if (answer === 'fresh') return null;
    // One render at a time, whatever the number of scrapers: wait for the one under way, or start it.
    if (!metrics.rendering) { renderAskedAt = now(); metrics.refresh(() => copy.snapshot()); }
    return metrics.rendered().then(() => metrics.body?.body ?? m?.body ?? null);
  },
  confirm: (service) => new Promise((resolve) => {
    const id = nextId++;
    confirms.set(id, resolve);
    post({ t: 'confirm', id, service });
  }),
  write: (write) => new Promise((resolve) => {
    const id = nextId++;
    writes.set(id, resolve);
    post({ t: 'write', id, write });
  }),
  hostAllowed: (host) => hostAllowed(host, names, ownAddresses),
  allow: (client) => limiter.allow(client, now()),
  limitHit: (limit, client, detail) => {
    const line = reporter.hit(limit, client, detail, now());
    if (line) post({ t: 'limit', message: line });
  },
  log: (message) => {
    // At most one error line per 10 s: a stalled main thread fails every waiting request at once.
    const t = now();
    if (t - lastErrorAt < 10_000) { suppressedErrors++; return; }
    const more = suppressedErrors ? ` (${suppressedErrors} more failed requests since the last report)` : '';
    lastErrorAt = t;
    suppressedErrors = 0;
    post({ t: 'log', level: 'error', message: message + more });
  },
  maxBodyBytes: limits.maxBodyBytes,
};

const inbox = new TurnQueue<MainMessage>(onMessage);
port?.on('message', (m: MainMessage) => inbox.push(m));

function onMessage(m: MainMessage): void {
  if (m.t === 'delta' && m.more) { copy.apply(redactInPlace(m.delta)); return; } // a part: the reading ends with the last
  if (m.t === 'snapshot' || m.t === 'delta' || m.t === 'snapshot-error') {
    if (snapshotTimer) clearTimeout(snapshotTimer);
    snapshotTimer = null;
    // Redacted once, as it arrives: the copy only ever holds redacted text.
    if (m.t === 'snapshot') copy.replace(redactInPlace(m.snapshot));
    else if (m.t === 'delta') copy.apply(redactInPlace(m.delta));
    if (m.t === 'snapshot-error') cache.reject(new Error(m.message));
    else {
      cache.resolve(copy.snapshot());
      if (renderDue()) {
        renderAskedAt = now();
        metrics.refresh(() => copy.snapshot());
      }
    }
  } else if (m.t === 'confirm') {
    confirms.get(m.id)?.(m.result);
    confirms.delete(m.id);
  } else if (m.t === 'write') {
    cache.invalidate();
    writes.get(m.id)?.(m.answer);
    writes.delete(m.id);
  } else if (m.t === 'close') {
    void close();
  }
}

const servers: Server[] = [];

function listen(server: Server, host: string, p: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(p, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function makeServer(): Server {
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs, connectionsCheckingInterval: 1000,
  }, (req, res) => { if (!testCrash(req)) void handle(req, res, ctx); });
  server.maxConnections = limits.maxConnections;
  server.on('drop', (d?: { remoteAddress?: string }) => {
    ctx.limitHit('connection', d?.remoteAddress ?? 'unknown', `over ${limits.maxConnections} open connections, closed`);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'HPE_HEADER_OVERFLOW') ctx.limitHit('header size', socket.remoteAddress ?? 'unknown', `over ${limits.maxHeaderBytes} bytes`);
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  });
  return server;
}

async function start(): Promise<void> {
  const addresses: string[] = [];
  const failures: BindFailure[] = [];
  let p = cfg.port;
  for (const host of cfg.hosts) {
    const server = makeServer();
    try {
      const a = await listen(server, host, p);
      if (p === 0) p = a.port;
      servers.push(server);
      addresses.push(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    } catch (e) {
      failures.push({
        host, code: (e as NodeJS.ErrnoException).code ?? '',
        message: `instrumentation: cannot listen on ${host.includes(':') ? `[${host}]` : host}:${p}: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }
  post({ t: 'listening', addresses, failures });
  // The first status at once: its size decides whether /metrics is kept rendered from now on.
  askedAt = now();
  cache.get().catch(() => {});
}

async function close(): Promise<void> {
  clearInterval(refresher);
  await Promise.all(servers.map((s) => new Promise<void>((r) => {
    s.close(() => r());
    s.closeAllConnections();
  })));
  post({ t: 'closed' });
}

if (port) void start();
