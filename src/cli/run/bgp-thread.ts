/**
 * The BGP speaker in a worker thread of its own (bgp-worker.ts), driven through SpeakerControl as
 * the in-thread Speaker is.
 *
 * Why (issue 14 §2, docs/bfd.md "Why BGP runs in a thread of its own"): KEEPALIVEs and the hold
 * timer are JavaScript timers. On the main thread they wait behind whatever holds the loop — at the
 * health benchmark's full rate the loop was seconds late, and a router's hold timer expired (RFC
 * 4271 §6.5), which also restarted its BFD session. The speaker is self-contained (FSM, sockets,
 * timers) and talks to the rest of vipd through a few calls, so it runs on its own loop: the main
 * thread can be blocked for longer than any hold time and the sessions stay up.
 *
 * What crosses: routes, routesComplete, BFD down and the peer calls in; events, log lines and a
 * status copy out. `status()` answers from the copy the worker sends after every event and every
 * STATUS_EVERY_MS. `stop()` ends the thread once the speaker has stopped.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../log/logger.js';
import {
  checkRoutes, checkSpeaker, type PeerConfig, type Route, type SpeakerConfig, type SpeakerControl, type SpeakerEvent, type SpeakerStatus, type StopOptions,
} from '../../speaker/index.js';
import { toWire, type Call, type FromWorker, type StatusReport, type ToWorker, type WorkerConfig } from './bgp-thread-protocol.js';

const STATUS_EVERY_MS = 500;
const LATE_LOG_MS = 1000;

function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './bgp-worker.ts' : './bgp-worker.js', import.meta.url);
}

export class BgpThread implements SpeakerControl {
  private readonly worker: Worker;
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();
  private readonly calls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private report: StatusReport;
  private ended: Promise<void> | null = null;
  private failed = false;

  /** Throws, as the Speaker's constructor does, naming every problem in `config`. */
  constructor(config: SpeakerConfig, private readonly log: Logger, sockets: boolean) {
    const routerId = checkSpeaker(config, sockets);
    this.report = { status: { localAs: config.localAs, routerId, advertised: 0, peers: [] }, listening: [] };
    const data: WorkerConfig = { speaker: { ...config, peers: config.peers.map(toWire) }, sockets, statusEveryMs: STATUS_EVERY_MS };
    this.worker = new Worker(workerUrl(), { workerData: data });
    this.worker.on('message', (m: FromWorker) => this.received(m));
    this.worker.on('error', (e) => {
      this.failed = true;
      // A fault in the speaker is fatal as it would be in the main thread
      this.log.error(`BGP thread failed: ${e.stack ?? e.message}`);
      for (const c of this.calls.values()) c.reject(e);
      this.calls.clear();
      process.nextTick(() => { throw e; });
    });
    this.worker.on('exit', (code) => {
      if (this.ended || this.failed) return;
      const e = new Error(`the BGP thread exited (code ${code}) while the speaker was running`);
      this.log.error(e.message);
      process.nextTick(() => { throw e; });
    });
  }

  onEvent(fn: (e: SpeakerEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(): Promise<void> { return this.call({ m: 'start' }); }

  routesComplete(): void { this.post({ t: 'routesComplete' }); }

  /** Throws naming every bad route, as the Speaker does; the worker gets them in order with every other call. */
  setAdvertised(routes: readonly Route[]): void {
    const c = checkRoutes(routes);
    if (c.errors.length) throw new Error(`setAdvertised: ${c.errors.join('; ')}`);
    this.post({ t: 'routes', routes: [...routes] });
  }

  addPeer(cfg: PeerConfig): Promise<void> { return this.call({ m: 'addPeer', peer: toWire(cfg) }); }

  removePeer(address: string, message?: string): Promise<void> {
    return this.call({ m: 'removePeer', address, ...(message !== undefined ? { message } : {}) });
  }

  /** Stops every session as the Speaker does, then ends the thread. */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (this.ended) return this.ended;
    const stopped = this.call({ m: 'stop', opts });
    this.ended = stopped.finally(() => this.worker.terminate().then(() => undefined));
    return this.ended;
  }

  bfdDown(address: string, why: string): void { this.post({ t: 'bfdDown', address, why }); }

  status(): SpeakerStatus { return this.report.status; }

  listening(): { address: string; port: number }[] { return this.report.listening; }

  private post(m: ToWorker): void {
    if (!this.ended) this.worker.postMessage(m);
  }

  private call(call: Call): Promise<void> {
    if (this.ended) return Promise.reject(new Error('the BGP thread has stopped'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ t: 'call', id, call } satisfies ToWorker);
    });
  }

  private received(m: FromWorker): void {
    switch (m.t) {
      case 'reply': {
        this.report = m.report;
        const c = this.calls.get(m.id);
        this.calls.delete(m.id);
        if (m.error === undefined) c?.resolve(); else c?.reject(new Error(m.error));
        return;
      }
      case 'status': this.report = m.report; return;
      case 'event': for (const fn of this.listeners) fn(m.event); return;
      case 'log': {
        // A line handled late (a busy main thread) carries the time the speaker logged it
        const late = Date.now() - m.at > LATE_LOG_MS;
        this.log[m.level](m.msg, late ? { ...m.ctx, at: new Date(m.at).toISOString() } : m.ctx);
        return;
      }
    }
  }
}
