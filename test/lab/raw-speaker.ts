import { connect, type Socket } from 'node:net';
import { sleep, waitFor } from './proc.js';
import { keepalive, open, type OpenSpec } from './raw-bgp.js';

/** A minimal scripted BGP peer over a real TCP socket: sends what it is told, records what comes back. */
export interface RawSpeaker {
  send(bytes: Buffer): void;
  /** Message types received so far (1 OPEN ... 5 ROUTE-REFRESH), in order. */
  received(): number[];
  /** Resolves when a message of this type arrives or the socket closes; false on timeout/close. */
  waitFor(type: number, timeoutMs: number): Promise<boolean>;
  closed(): boolean;
  close(): Promise<void>;
}

type Target = { routerIp: string; speakerIp: string; port?: number; connectTimeoutMs?: number };

/** Connects (retrying while the router is still opening its listening socket) and starts reading messages. */
export async function rawSpeaker(o: Target): Promise<RawSpeaker> {
  const socket = await waitFor(`a TCP connection to ${o.routerIp}`, o.connectTimeoutMs ?? 5000, () => connectOnce(o), 50);
  return speakerOn(socket);
}

function connectOnce(o: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: o.routerIp, port: o.port ?? 179, localAddress: o.speakerIp, timeout: o.connectTimeoutMs ?? 3000 });
    s.once('connect', () => { s.setTimeout(0); resolve(s); });
    s.once('timeout', () => { s.destroy(); reject(new Error(`connect to ${o.routerIp} timed out`)); });
    s.once('error', reject);
  });
}

function speakerOn(socket: Socket): RawSpeaker {
  const types: number[] = [];
  let buf = Buffer.alloc(0);
  let isClosed = false;
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (let guard = 0; buf.length >= 19 && guard < 10_000; guard++) {
      const len = buf.readUInt16BE(16);
      if (len < 19 || buf.length < len) break;
      types.push(buf[18]!);
      buf = buf.subarray(len);
    }
  });
  socket.on('close', () => { isClosed = true; });
  socket.on('error', () => { isClosed = true; });
  return {
    send: (bytes) => { if (!isClosed) socket.write(bytes); },
    received: () => [...types],
    closed: () => isClosed,
    async waitFor(type, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (types.includes(type)) return true;
        if (isClosed) return false;
        await sleep(10);
      }
      return false;
    },
    async close() {
      if (isClosed) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => { socket.destroy(); resolve(); }, 1000).unref();
      });
    },
  };
}

/** Connects, exchanges OPENs and KEEPALIVEs: the session is Established on the router's side afterwards. */
export async function establish(o: { routerIp: string; speakerIp: string; port?: number }, spec: OpenSpec): Promise<RawSpeaker> {
  const s = await rawSpeaker(o);
  s.send(open(spec));
  if (!(await s.waitFor(1, 5000))) throw new Error(`no OPEN from ${o.routerIp}`);
  s.send(keepalive());
  if (!(await s.waitFor(4, 5000))) throw new Error(`no KEEPALIVE from ${o.routerIp}`);
  return s;
}
