// Runs INSIDE the IPVS guest, for guest-daemon.ts: real HTTP backends on the guest's loopback and
// a bounded wait that records how long a condition took.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';

export interface Backend {
  readonly host: string;
  /** As a killed process: its connections closed, the port refuses. Idempotent. */
  stop(): Promise<void>;
}

/** A real HTTP server answering 200 on every path, closing each connection after its answer. */
export async function startBackend(host: string, port: number): Promise<Backend> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((_req, res) => {
    res.writeHead(200, { connection: 'close' });
    res.end(`ok ${host}\n`);
  });
  s.on('connection', (c) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((ok, fail) => { s.once('error', fail); s.listen(port, host, () => ok()); });
  let stopped: Promise<void> | null = null;
  return {
    host,
    stop: () => stopped ??= new Promise<void>((ok) => {
      s.close(() => ok());
      // destroy(), not resetAndDestroy(): on a socket whose end() has queued a shutdown that has
      // not run yet, Node 20's reset fails (EINVAL) yet marks the handle closing, so it is never
      // closed and node spins forever at exit (Environment::CleanupHandles); see README.md.
      for (const c of sockets) c.destroy();
    }),
  };
}

export interface Waited { problem: string; ms: number }

/**
 * Polls `check` ('' when satisfied, else what it saw) until it holds or `ms` passed (bounded:
 * at most ms / 100 + 1 polls; `ms` 0: one check, no deadline). Returns how long it took.
 */
export async function until(what: string, ms: number, check: () => Promise<string>): Promise<Waited> {
  const since = Date.now();
  const deadline = since + ms;
  let seen = await check();
  for (let i = 0; seen && Date.now() < deadline && i <= ms / 100; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    seen = await check();
  }
  // Measured when the read that showed it returned: the change may have landed a little earlier.
  const took = Date.now() - since;
  if (!seen && ms > 0 && took > ms) seen = 'it held only after the deadline';
  return { problem: seen && `${what}: ${ms ? `not within ${ms} ms (${took} ms)` : 'does not hold'}; ${seen}\n`, ms: took };
}
