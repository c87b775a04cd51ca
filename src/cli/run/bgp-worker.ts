/**
 * The BGP speaker's worker thread (bgp-thread.ts says why): the whole speaker — FSM, sockets,
 * timers, graceful restart, MD5/GTSM, send-hold, collisions — on an event loop of its own, so that
 * KEEPALIVEs and the hold timer never wait for health checks, the API or the main thread's GC.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger, LogContext } from '../../log/logger.js';
import { systemClock } from '../../time/clock.js';
import { Speaker } from '../../speaker/index.js';
import { secureSockets } from './tcp-security.js';
import { fromWire, type Call, type FromWorker, type StatusReport, type ToWorker, type WorkerConfig } from './bgp-thread-protocol.js';

const port = parentPort;
const post = (m: FromWorker): void => port?.postMessage(m);

/** Log lines go to the main thread's logger (its format, level and event ring). */
function postingLogger(base: LogContext): Logger {
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, ctx?: LogContext): void => post({ t: 'log', level, msg, ctx: { ...base, ...ctx }, at: Date.now() });
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), child: (ctx) => postingLogger({ ...base, ...ctx }) };
}

// Outside a worker thread (someone runs the file) nothing starts.
if (port) {
  const cfg = workerData as WorkerConfig;
  const sockets = cfg.sockets ? secureSockets() : undefined;
  const speaker = new Speaker({ ...cfg.speaker, peers: cfg.speaker.peers.map(fromWire) }, systemClock, postingLogger({}), sockets);
  const report = (): StatusReport => ({ status: speaker.status(), listening: speaker.listening() });
  // The main thread's copy of the status: after every event (coalesced) and every statusEveryMs.
  let due = false;
  const statusSoon = (): void => {
    if (due) return;
    due = true;
    setImmediate(() => { due = false; post({ t: 'status', report: report() }); });
  };
  speaker.onEvent((event) => { post({ t: 'event', event }); statusSoon(); });
  const tick = setInterval(statusSoon, cfg.statusEveryMs);
  tick.unref();

  const run = async (c: Call): Promise<void> => {
    switch (c.m) {
      case 'start': return speaker.start();
      case 'addPeer': return speaker.addPeer(fromWire(c.peer));
      case 'removePeer': return speaker.removePeer(c.address, c.message);
      case 'stop': return speaker.stop(c.opts);
    }
  };
  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'call':
        void run(m.call).then(
          () => post({ t: 'reply', id: m.id, report: report() }),
          (e: unknown) => post({ t: 'reply', id: m.id, error: e instanceof Error ? e.message : String(e), report: report() }),
        );
        return;
      case 'routes': speaker.setAdvertised(m.routes); return statusSoon();
      case 'routesComplete': return speaker.routesComplete();
      case 'bfdDown': return speaker.bfdDown(m.address, m.why);
    }
  });
}
