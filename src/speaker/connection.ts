import type { Socket } from 'node:net';
import { Framer, decodeMessage, encodeMessage, type BgpMessage, type CodecContext, type DecodeError } from '../bgp/index.js';
import type { Clock } from '../time/clock.js';

/** Longest stretch spent decoding one peer's input before letting timers and other sockets run. */
const SLICE_MS = 5;

export interface ConnectionHandlers {
  message(m: BgpMessage): void;
  error(e: DecodeError): void;
  /** The TCP connection ended or failed; called once, and never after close(). */
  closed(reason: string): void;
  /** A write did not fit: the socket buffer is full because the peer does not read (RFC 9687). */
  blocked?(): void;
  /** What was queued has gone to the kernel; the peer reads again. */
  drained?(): void;
}

/** One TCP connection to a peer: bytes in through the framer and codec, messages out encoded. */
export class Connection {
  private readonly framer: Framer;
  private handlers: ConnectionHandlers | null;
  private ended = false;
  private ctx: CodecContext;
  private backlog: Uint8Array[] = [];
  private next = 0;
  private draining = false;
  private framingError: DecodeError | undefined;
  private stalled = false;
  readonly remote: string;

  constructor(
    readonly socket: Socket,
    readonly direction: 'outbound' | 'inbound',
    handlers: ConnectionHandlers,
    private readonly clock: Clock,
  ) {
    this.ctx = { fourOctetAs: false, extendedMessage: false };
    this.framer = new Framer(this.ctx);
    this.handlers = handlers;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.lost(err.message));
    socket.on('close', () => this.lost('connection closed by peer'));
    socket.on('end', () => this.lost('connection closed by peer'));
  }

  setContext(ctx: CodecContext): void {
    this.ctx = ctx;
    this.framer.setContext(ctx);
  }

  /** Replace who hears about this connection (collision handling hands it over). */
  setHandlers(h: ConnectionHandlers): void { this.handlers = h; }

  get open(): boolean { return !this.ended; }

  /** Octets written that the kernel has not taken yet (they wait in Node's buffer). */
  get pendingBytes(): number { return this.socket.writableLength; }

  /** True from a write that did not fit until the buffer drains. */
  get blocked(): boolean { return this.stalled; }

  send(m: BgpMessage): void {
    if (!this.ended) this.write(encodeMessage(m, this.ctx));
  }

  sendRaw(bytes: Uint8Array): void {
    if (!this.ended) this.write(bytes);
  }

  private write(bytes: Uint8Array): void {
    if (this.socket.write(bytes) || this.stalled) return;
    // Node's write buffer is past its high-water mark: the kernel's send buffer is full
    this.stalled = true;
    this.socket.once('drain', () => {
      this.stalled = false;
      if (!this.ended) this.handlers?.drained?.();
    });
    this.handlers?.blocked?.();
  }

  /**
   * Flushes what was written, sends FIN, and destroys the socket if the peer has not closed
   * within `graceMs`. Resolves once the socket is gone. No handler is called after this.
   */
  close(graceMs = 2000): Promise<void> {
    this.handlers = null;
    this.ended = true;
    return new Promise((resolve) => {
      if (this.socket.destroyed) { resolve(); return; }
      const cancel = this.clock.setTimer(graceMs, () => this.socket.destroy());
      this.socket.once('close', () => { cancel(); resolve(); });
      this.socket.resume(); // a paused socket (see drain) would never see the peer's FIN
      this.socket.end();
    });
  }

  private lost(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const h = this.handlers;
    this.handlers = null;
    this.socket.destroy();
    h?.closed(reason);
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    const out = this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    for (const m of out.messages) this.backlog.push(m);
    if (out.error) this.framingError = out.error;
    if (!this.draining) this.drain();
  }

  /**
   * Decodes and hands over queued messages, at most SLICE_MS at a time: a flooding peer then cannot
   * hold the event loop long enough to delay another session's keepalives (socket paused meanwhile).
   */
  private drain(): void {
    this.draining = false;
    const start = this.clock.now();
    while (this.next < this.backlog.length) {
      if (this.ended || !this.handlers) return;
      const bytes = this.backlog[this.next++] as Uint8Array;
      const r = decodeMessage(bytes, this.ctx);
      if (r.ok) this.handlers.message(r.value);
      else this.handlers.error(r.error);
      if (this.next < this.backlog.length && this.clock.now() - start >= SLICE_MS) {
        this.draining = true;
        this.socket.pause();
        setImmediate(() => this.drain());
        return;
      }
    }
    this.backlog = [];
    this.next = 0;
    // RFC 4271 §6.1: a bad header cannot be resynchronised; the session resets
    if (this.framingError && !this.ended && this.handlers) this.handlers.error(this.framingError);
    if (!this.ended) this.socket.resume();
  }
}
