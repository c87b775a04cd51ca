import { constants } from 'node:os';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import { BFD_STATES, bfdDiagName, type BfdState } from './codec.js';
import type { BfdNative } from './native.js';

/** One BFD session per BGP peer (RFC 5882 §4). */
export interface BfdPeer {
  address: string;
  /** The BGP session's local address; null = the wildcard (the kernel picks the source). */
  localAddress: string | null;
  /** Desired min TX and required min RX, ms (RFC 5880 §6.8.1). */
  intervalMs: number;
  multiplier: number;
}

export interface BfdPeerStatus {
  peer: string;
  state: BfdState;
  remoteState: BfdState;
  diag: string;
  remoteDiag: string;
  intervalMs: number;
  multiplier: number;
  /** The transmit interval agreed with the peer (before jitter) and the detection time, ms. */
  txIntervalMs: number;
  detectMs: number;
  /** Up → Down transitions that were failures (not AdminDown, RFC 5882 §3.2). */
  flaps: number;
  /** Wall-clock ms since the session is Up, or null. */
  upSince: number | null;
  lastDown: { at: number; diag: string } | null;
  packetsSent: number;
  packetsReceived: number;
}

export interface BfdChange {
  peer: string;
  state: BfdState;
  previous: BfdState;
  diag: string;
  /** A failure the BGP session must act on: Up → Down, not signalled AdminDown (RFC 5882 §3.2). */
  failure: boolean;
}

interface Entry { id: number; peer: BfdPeer; state: BfdState; flaps: number; upSince: number | null; lastDown: BfdPeerStatus['lastDown'] }

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([k, v]) => [v, k]));
const errnoName = (r: number): string => ERRNO_NAMES.get(-r) ?? `errno ${-r}`;
const same = (a: BfdPeer, b: BfdPeer): boolean =>
  a.localAddress === b.localAddress && a.intervalMs === b.intervalMs && a.multiplier === b.multiplier;

/**
 * The BFD sessions, run by the native thread (native/bfd-*.c, timing off the event loop); this side
 * only adds and removes them, asks for AdminDown, and turns state changes into `BfdChange`s.
 */
export class BfdManager {
  private readonly byPeer = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  private nextId = 1;

  constructor(private readonly native: BfdNative, private readonly clock: Clock, private readonly log: Logger,
    private readonly onChange: (c: BfdChange) => void) {
    const r = native.bfdInit((id, state, diag, remote) => this.changed(id, state, diag, remote));
    if (r !== 0) throw new Error(`the BFD thread did not start: ${errnoName(r)}`);
  }

  /** Makes the sessions match `peers`; returns one message per session that could not start. */
  sync(peers: readonly BfdPeer[]): string[] {
    const want = new Map(peers.map((p) => [p.address, p]));
    for (const [address, e] of this.byPeer) {
      const p = want.get(address);
      if (!p || !same(p, e.peer)) this.remove(address);
    }
    const errors: string[] = [];
    for (const p of peers) {
      if (this.byPeer.has(p.address)) continue;
      const id = this.nextId++;
      const r = this.native.bfdAdd(id, p.address, p.localAddress ?? '', p.intervalMs * 1000, p.intervalMs * 1000, p.multiplier);
      if (r !== 0) {
        const hint = r === -constants.errno.EADDRINUSE ? ' (another BFD daemon on UDP 3784 of this address?)' : '';
        errors.push(`bgp peer ${p.address}: BFD session not started: ${errnoName(r)}${hint}`);
        continue;
      }
      const e: Entry = { id, peer: p, state: 'Down', flaps: 0, upSince: null, lastDown: null };
      this.byPeer.set(p.address, e);
      this.byId.set(id, e);
      this.log.info('BFD session added', { peer: p.address, intervalMs: p.intervalMs, multiplier: p.multiplier });
    }
    return errors;
  }

  status(peer: string): BfdPeerStatus | null {
    const e = this.byPeer.get(peer);
    const s = e ? this.native.bfdStatus(e.id) : null;
    if (!e || !s) return null;
    return {
      peer, state: stateName(s.state), remoteState: stateName(s.remoteState),
      diag: bfdDiagName(s.diag), remoteDiag: bfdDiagName(s.remoteDiag),
      intervalMs: e.peer.intervalMs, multiplier: e.peer.multiplier,
      txIntervalMs: s.txUs / 1000, detectMs: s.detectUs / 1000,
      flaps: e.flaps, upSince: e.upSince, lastDown: e.lastDown, packetsSent: s.txCount, packetsReceived: s.rxCount,
    };
  }

  statuses(): BfdPeerStatus[] {
    return [...this.byPeer.keys()].flatMap((p) => this.status(p) ?? []);
  }

  /** µs each periodic packet to `peer` left after its time, since the last call (benchmarks). */
  takeLateness(peer: string): Int32Array {
    const e = this.byPeer.get(peer);
    return e ? this.native.bfdTakeLateness(e.id) : new Int32Array(0);
  }

  /**
   * RFC 5882 §3.2, RFC 5880 §6.8.16: a planned stop tells the routers AdminDown first, so they do not
   * take it for a failure. Resolves once every session has sent an AdminDown packet (at most 500 ms).
   */
  async adminDownAll(): Promise<void> {
    await Promise.all([...this.byPeer.keys()].map((p) => this.adminDown(p)));
  }

  /** AdminDown for one peer's session (see adminDownAll). */
  async adminDown(peer: string): Promise<void> {
    const e = this.byPeer.get(peer);
    if (!e) return;
    const before = this.native.bfdStatus(e.id)?.txCount ?? 0;
    this.native.bfdAdminDown(e.id);
    for (let i = 0; i < 50; i++) { // the thread sends it at once; 500 ms at most
      const s = this.native.bfdStatus(e.id);
      if (!s || (s.state === 0 && s.txCount > before)) return;
      await new Promise<void>((resolve) => this.clock.setTimer(10, resolve));
    }
  }

  /** Removes every session (no more packets). */
  stop(): void {
    for (const address of [...this.byPeer.keys()]) this.remove(address);
  }

  private remove(address: string): void {
    const e = this.byPeer.get(address);
    if (!e) return;
    this.native.bfdRemove(e.id);
    this.byPeer.delete(address);
    this.byId.delete(e.id);
  }

  private changed(id: number, stateNo: number, diagNo: number, remoteNo: number): void {
    const e = this.byId.get(id);
    if (!e) return;
    const previous = e.state;
    const state = stateName(stateNo);
    const diag = bfdDiagName(diagNo);
    e.state = state;
    const failure = previous === 'Up' && state === 'Down' && stateName(remoteNo) !== 'AdminDown';
    if (state === 'Up') e.upSince = this.clock.wallNow();
    if (previous === 'Up') { e.upSince = null; e.lastDown = { at: this.clock.wallNow(), diag }; }
    if (failure) e.flaps++;
    const level = failure ? 'warn' : 'info';
    this.log[level](`BFD ${previous} -> ${state}`, { peer: e.peer.address, diag });
    this.onChange({ peer: e.peer.address, state, previous, diag, failure });
  }
}

function stateName(n: number): BfdState {
  return BFD_STATES[n] ?? 'Down';
}
