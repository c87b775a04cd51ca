/**
 * The instrumentation HTTP server (PyBal's endpoints plus /bgp, /vips, /metrics), run in a
 * worker thread (api-worker.ts) so that a flood of clients cannot starve the main event loop.
 * The main thread side here only answers the worker's snapshot requests (at most
 * `snapshotsPerSec`, shared by every waiting request; a delta when the source has keyed access), relays confirm actions and log lines,
 * and measures its own event-loop lag for `vipd_event_loop_lag_seconds`.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log/logger.js';
import { LoopLagMonitor } from './loop-lag.js';
import { DEFAULT_LIMITS, type ApiLimits, type BindFailure, type MainMessage, type WorkerConfig, type WorkerMessage } from './protocol.js';
import { takeSnapshot } from './snapshot.js';
import { buildDelta } from './status-delta.js';
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
}

export interface ApiServer {
  /** Bound address:port pairs, e.g. ["127.0.0.1:9090"]. */
  readonly addresses: string[];
  /** Snapshots the main thread has taken for the worker (tests). */
  readonly snapshots: number;
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
 * past it the worker exits, which is logged (the API is down, the rest of vipd runs on).
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
 * see bindFailuresFatal).
 */
export async function startApiServer(opts: ApiOptions): Promise<ApiServer> {
  const cfg: WorkerConfig = {
    hosts: opts.hosts ?? ['127.0.0.1', '::1'], port: opts.port, limits: { ...DEFAULT_LIMITS, ...opts.limits },
    ...(opts.hostnames ? { hostnames: opts.hostnames } : {}),
  };
  const lag = new LoopLagMonitor();
  const worker = new Worker(workerUrl(), { workerData: cfg, resourceLimits: WORKER_HEAP });
  const send = (m: MainMessage): void => worker.postMessage(m);
  let snapshots = 0;
  let closing = false;
  let onClosed: (() => void) | null = null;

  const started = new Promise<string[]>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      switch (m.t) {
        case 'listening': {
          const fatal = bindFailuresFatal(m.addresses.length, m.failures);
          if (fatal.length === 0 && m.addresses.length) {
            for (const f of m.failures) opts.log.warn(`${f.message} (no IPv6 on this host)`);
            resolve(m.addresses);
          } else {
            reject(new Error(fatal.map((f) => f.message).join('; ') || 'instrumentation: no address to listen on'));
          }
          break;
        }
        case 'snapshot': {
          snapshots++;
          const keyed = opts.source.keyed;
          try {
            if (keyed) send({ t: 'delta', delta: buildDelta(opts.source, keyed, keyed.changes.drain(), lag.read()) });
            else send({ t: 'snapshot', snapshot: takeSnapshot(opts.source, lag.read()) });
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
      }
    });
    worker.on('error', (e) => {
      opts.log.error(`instrumentation worker failed: ${e.message}`);
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!closing) opts.log.error(`instrumentation worker exited (code ${code}); the API is down, the rest of vipd runs on`);
      reject(new Error(`instrumentation worker exited (code ${code})`));
    });
  });

  let addresses: string[];
  try {
    addresses = await started;
  } catch (e) {
    closing = true;
    lag.stop();
    await worker.terminate();
    throw e;
  }
  let closed: Promise<void> | null = null;
  return {
    addresses,
    get snapshots() { return snapshots; },
    close: () => {
      closed ??= (async () => {
        closing = true;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CLOSE_WAIT_MS);
          onClosed = () => { clearTimeout(timer); resolve(); };
          send({ t: 'close' });
        });
        lag.stop();
        await worker.terminate();
      })();
      return closed;
    },
  };
}
