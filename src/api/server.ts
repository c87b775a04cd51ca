/**
 * The instrumentation HTTP server (PyBal's endpoints plus /bgp, /vips, /metrics), run in a
 * worker thread (api-worker.ts) so that a flood of clients cannot starve the main event loop.
 * The main thread side here only answers the worker's snapshot requests (at most
 * `snapshotsPerSec`, shared by every waiting request; a delta when the source has keyed access), relays confirm actions and log lines,
 * and measures its own event-loop lag for `vipd_event_loop_lag_seconds`.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import { DeltaSender } from './delta-sender.js';
import { GcMonitor } from './gc-totals.js';
import { LoopLagMonitor } from './loop-lag.js';
import { DEFAULT_LIMITS, type ApiLimits, type BindFailure, type MainMessage, type WorkerConfig, type WorkerMessage } from './protocol.js';
import { takeSnapshot } from './snapshot.js';
import { RestartBackoff } from './restart-backoff.js';
import { SentLists } from './state-delta.js';
import { encodePiece } from './delta-pieces.js';
import { buildDelta, encodeCounters, type DeltaJob } from './status-delta.js';
import type { StatusSource } from './types.js';

export { route, wantsJson } from './handler.js';
export { DEFAULT_LIMITS, type ApiLimits } from './protocol.js';

export interface ApiOptions {
  source: StatusSource;
  /** Addresses to bind (PyBal's instrumentation_ips); default loopback v4 and v6. */
  hosts?: string[];
  /** PyBal's instrumentation_port; 0 picks a free port. */
  port: number;
  log: Logger;
  limits?: Partial<ApiLimits>;
  /** Names the Host header may carry besides this host's addresses and `localhost` (DNS-rebinding guard). */
  hostnames?: string[];
  /** A client hit a limit (the line is logged too): the daemon raises an alert. */
  onLimitHit?: (message: string) => void;
  /** The worker died (an exception, its heap limit): the API is down until it is restarted (issue 11). */
  onWorkerDown?: (reason: string) => void;
  /** A restarted worker listens again after `downMs`; `reason` is why the last one died. */
  onWorkerUp?: (downMs: number, reason: string) => void;
}

export interface ApiServer {
  /** Bound address:port pairs, e.g. ["127.0.0.1:9090"]. */
  readonly addresses: string[];
  /** Snapshots the main thread has taken for the worker (tests). */
  readonly snapshots: number;
  /** Workers started again after one died. */
  readonly restarts: number;
  close(): Promise<void>;
}

/** The worker's file beside this one: compiled .js from dist/, or .ts under a TypeScript loader (tests). */
export function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './api-worker.ts' : './api-worker.js', import.meta.url);
}

const CLOSE_WAIT_MS = 2000;
/**
 * The worker's heap bounds (issue 13, memory): without them V8 let it grow to 245–278 MB between
 * collections while ~56 MB were live at 10,000 realservers. Twice the live size measured there;
 * past it the worker exits: that is logged and alerted, and a new worker is started (issue 11).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 };

/**
 * Whether the addresses that could not be bound stop vipd (issue 12 §5): every one does, so a
 * second vipd never runs beside the first with half the API each — except ::1 on a host without
 * IPv6 (no process can hold it there), which is logged and skipped while another address is bound.
 */
export function bindFailuresFatal(bound: number, failures: readonly BindFailure[]): BindFailure[] {
  const noV6 = (f: BindFailure): boolean => f.host === '::1' && (f.code === 'EADDRNOTAVAIL' || f.code === 'EAFNOSUPPORT');
  return bound === 0 ? [...failures] : failures.filter((f) => !noV6(f));
}

/**
 * Starts one listener per address in a worker thread; fails unless every address is bound (but
 * see bindFailuresFatal). A worker that dies later is started again with bounded back-off
 * (restart-backoff.ts) on the same addresses and gets a complete copy of the status; the main
 * thread (health checks, IPVS, BGP) only answers its messages, so it runs on meanwhile.
 */
export async function startApiServer(opts: ApiOptions): Promise<ApiServer> {
  const cfg: WorkerConfig = {
    hosts: opts.hosts ?? ['127.0.0.1', '::1'], port: opts.port, limits: { ...DEFAULT_LIMITS, ...opts.limits },
    ...(opts.hostnames ? { hostnames: opts.hostnames } : {}),
  };
  const lag = new LoopLagMonitor();
  const gc = new GcMonitor();
  // the main thread's own measures, read with every status the worker asks for
  const source: StatusSource = { ...opts.source, gc: () => gc.read() };
  const backoff = new RestartBackoff();
  let snapshots = 0;
  let restarts = 0;
  let closing = false;
  let current: Worker | null = null;
  let retry: NodeJS.Timeout | null = null;
  let down: { at: number; reason: string } | null = null;
  let onClosed: (() => void) | null = null;

  const answer = (w: Worker, sent: SentLists, deltas: DeltaSender, m: WorkerMessage): void => {
    const send = (x: MainMessage): void => w.postMessage(x);
    switch (m.t) {
      case 'snapshot': {
        snapshots++;
        const keyed = opts.source.keyed;
        try {
          if (keyed) {
            const jobs: DeltaJob[] = [];
            deltas.send(buildDelta(source, keyed, keyed.changes.drain(), lag.read(), sent, jobs), jobs,
              (s, h) => encodeCounters(keyed, s, h), (j) => encodePiece(keyed, j, sent));
          }
          else send({ t: 'snapshot', snapshot: takeSnapshot(source, lag.read()) });
        } catch (e) {
          keyed?.changes.service(null); // the marks drained with the failed delta: the next one is complete
          send({ t: 'snapshot-error', message: e instanceof Error ? e.message : String(e) });
        }
        break;
      }
      case 'confirm': {
        let result: { ok: boolean; message: string } | null = null;
        try {
          result = opts.source.actions?.confirmPoolRemoval(m.service) ?? null;
        } catch (e) {
          result = { ok: false, message: e instanceof Error ? e.message : String(e) };
        }
        send({ t: 'confirm', id: m.id, result });
        break;
      }
      case 'write': {
        const id = m.id;
        const act = opts.source.actions?.override;
        if (!act) { send({ t: 'write', id, answer: { status: 501, body: { error: 'this vipd takes no overrides' } } }); break; }
        void (async () => {
          try {
            send({ t: 'write', id, answer: await act(m.write) });
          } catch (e) {
            send({ t: 'write', id, answer: { status: 500, body: { error: e instanceof Error ? e.message : String(e) } } });
          }
        })();
        break;
      }
      case 'log':
        opts.log[m.level](m.message);
        break;
      case 'limit':
        opts.log.warn(m.message);
        opts.onLimitHit?.(m.message);
        break;
      case 'closed':
        onClosed?.();
        break;
      case 'listening':
        break; // launch() handles it
    }
  };

  /** One worker, listening on `c`'s addresses; rejects (the worker stopped) when it cannot. */
  const launch = (c: WorkerConfig): Promise<string[]> => {
    // Its copy starts empty: the first delta it gets is complete.
    opts.source.keyed?.changes.service(null);
    const w = new Worker(workerUrl(), { workerData: c, resourceLimits: WORKER_HEAP });
    const sent = new SentLists(); // the server lists this worker's copy has (none yet)
    const deltas = new DeltaSender((m) => w.postMessage(m), undefined, () => opts.source.keyed?.changes.service(null));
    let error: Error | null = null;
    let listening = false;
    return new Promise<string[]>((resolve, reject) => {
      w.on('message', (m: WorkerMessage) => {
        if (m.t !== 'listening') { answer(w, sent, deltas, m); return; }
        const fatal = bindFailuresFatal(m.addresses.length, m.failures);
        if (fatal.length === 0 && m.addresses.length) {
          for (const f of m.failures) opts.log.warn(`${f.message} (no IPv6 on this host)`);
          listening = true;
          current = w;
          resolve(m.addresses);
        } else {
          reject(new Error(fatal.map((f) => f.message).join('; ') || 'instrumentation: no address to listen on'));
          void w.terminate();
        }
      });
      w.on('error', (e) => { error = e; });
      w.on('exit', (code) => {
        const why = error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : `exit code ${code}`;
        if (!listening) { reject(error ?? new Error(`instrumentation worker exited (code ${code})`)); return; }
        if (w === current && !closing) died(why);
      });
    });
  };

  const died = (reason: string): void => {
    current = null;
    down ??= { at: performance.now(), reason };
    const wait = backoff.next(performance.now());
    opts.log.error(`instrumentation worker died (${reason}); the API is down, health checks, IPVS and BGP run on; restarting in ${wait} ms`);
    opts.onWorkerDown?.(reason);
    retry = setTimeout(restart, wait);
  };

  const restart = (): void => {
    retry = null;
    if (closing) return;
    // The same addresses and the port bound first (cfg.port may be 0: a free one was picked then).
    const port = Number(addresses[0]!.split(':').pop());
    launch({ ...cfg, port }).then(() => {
      if (closing) { void current?.terminate(); return; }
      restarts++;
      backoff.up(performance.now());
      const was = down ?? { at: performance.now(), reason: 'unknown' };
      down = null;
      const ms = Math.round(performance.now() - was.at);
      opts.log.warn(`instrumentation worker restarted after ${ms} ms down (it died: ${was.reason})`);
      opts.onWorkerUp?.(ms, was.reason);
    }, (e: unknown) => {
      if (closing) return;
      const wait = backoff.next(performance.now());
      opts.log.error(`instrumentation worker could not start again: ${e instanceof Error ? e.message : String(e)}; retrying in ${wait} ms`);
      retry = setTimeout(restart, wait);
    });
  };

  let addresses: string[];
  try {
    addresses = await launch(cfg);
    backoff.up(performance.now());
  } catch (e) {
    closing = true;
    lag.stop();
    gc.stop();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    addresses,
    get snapshots() { return snapshots; },
    get restarts() { return restarts; },
    close: () => {
      closed ??= (async () => {
        closing = true;
        if (retry) clearTimeout(retry);
        const w = current;
        if (w) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, CLOSE_WAIT_MS);
            onClosed = () => { clearTimeout(timer); resolve(); };
            w.postMessage({ t: 'close' } satisfies MainMessage);
          });
          await w.terminate();
        }
        lag.stop();
        gc.stop();
      })();
      return closed;
    },
  };
}
