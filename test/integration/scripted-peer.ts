// A scripted BGP peer for the speaker tests: a real TCP listener on loopback that decodes what
// the speaker sends with our codec and answers whatever the test tells it to.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Framer } from '../../src/bgp/framer.js';
import { decodeMessage, encodeMessage } from '../../src/bgp/message.js';
import type { BgpMessage, CodecContext, OpenMessage } from '../../src/bgp/types.js';
import { waitFor } from '../lab/proc.js';

const CTX: CodecContext = { fourOctetAs: true, extendedMessage: false };

export class PeerConnection {
  readonly received: BgpMessage[] = [];
  closed = false;
  private readonly framer = new Framer(CTX);
  private taken = 0;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const out = this.framer.push(new Uint8Array(chunk));
      for (const m of out.messages) {
        const r = decodeMessage(m, CTX);
        if (r.ok) this.received.push(r.value);
      }
    });
    socket.on('close', () => { this.closed = true; });
    socket.on('error', () => { this.closed = true; });
  }

  send(m: BgpMessage): void { if (!this.closed) this.socket.write(encodeMessage(m, CTX)); }
  sendRaw(b: Uint8Array): void { if (!this.closed) this.socket.write(b); }

  /** The next message received after the ones already taken, of `type` if given (skipping others). */
  async next(type?: BgpMessage['type'], timeoutMs = 5000): Promise<BgpMessage> {
    return waitFor(`scripted peer: ${type ?? 'a message'}`, timeoutMs, async () => {
      while (this.taken < this.received.length) {
        const m = this.received[this.taken++] as BgpMessage;
        if (!type || m.type === type) return m;
      }
      return undefined;
    }, 10);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor('scripted peer: connection closed', timeoutMs, async () => this.closed, 10);
  }

  /** Stops reading: what the speaker sends piles up in the kernel's buffers (a wedged router). */
  pause(): void { this.socket.pause(); }
  resume(): void { this.socket.resume(); }

  end(): void { this.socket.destroy(); }
}

export interface ScriptedPeer {
  address: string;
  port: number;
  connections: PeerConnection[];
  /** The n-th connection (0-based) the speaker made. */
  connection(n: number, timeoutMs?: number): Promise<PeerConnection>;
  close(): Promise<void>;
}

/** Listens on address:0 (ephemeral port). */
export async function startScriptedPeer(address: string): Promise<ScriptedPeer> {
  const connections: PeerConnection[] = [];
  const server: Server = createServer((s) => { connections.push(new PeerConnection(s)); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen({ host: address, port: 0 }, resolve); });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : 0;
  return {
    address, port, connections,
    connection: (n, timeoutMs = 5000) => waitFor(`scripted peer: connection ${n + 1}`, timeoutMs, async () => connections[n], 10),
    close: async () => {
      for (const c of connections) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects to a passive speaker from `localAddress`. */
export function dialSpeaker(host: string, port: number, localAddress: string): Promise<PeerConnection> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, localAddress });
    s.once('connect', () => resolve(new PeerConnection(s)));
    s.once('error', reject);
  });
}

export function routerOpen(over: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'OPEN', version: 4, myAs: 64601, holdTime: 30, bgpId: '10.255.0.2',
    params: [{ type: 2, capabilities: [
      { code: 1, name: 'multiprotocol', afi: 1, safi: 1 }, { code: 1, name: 'multiprotocol', afi: 2, safi: 1 },
      { code: 2, name: 'route-refresh' }, { code: 70, name: 'enhanced-route-refresh' },
      { code: 65, name: 'four-octet-as', asn: 64601 },
    ] }],
    ...over,
  };
}

/** Answers the speaker's OPEN and KEEPALIVE so the session is Established; returns the speaker's OPEN. */
export async function establish(c: PeerConnection, open: OpenMessage = routerOpen()): Promise<OpenMessage> {
  const theirs = await c.next('OPEN');
  c.send(open);
  c.send({ type: 'KEEPALIVE' });
  await c.next('KEEPALIVE');
  return theirs as OpenMessage;
}
