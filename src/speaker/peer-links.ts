import type { Socket } from 'node:net';
import type { NotificationMessage, OpenMessage } from '../bgp/types.js';
import { collisionResolution, type FsmEvent, type Session } from '../fsm/index.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { Connection, type ConnectionHandlers } from './connection.js';
import { HeldConnection } from './held-connection.js';
import { dial } from './dial.js';
import type { ResolvedPeer } from './session-config.js';

/** What the links need from their session: its FSM, and the handlers a connection reports to. */
export interface LinkOwner {
  fsm(): Session;
  dispatch(ev: FsmEvent): void;
  handlers(): ConnectionHandlers;
  /** The OPEN on a held second connection (RFC 4271 §6.8), before the FSM decides. */
  collisionOpen(open: OpenMessage): void;
}

/**
 * One peer's TCP connections: the one the session runs on, the outbound dial, the second inbound
 * connection held during a collision (RFC 4271 §6.8), and the closes still flushing. The FSM
 * decides; this runs its connect / close / collision effects.
 */
export class PeerLinks {
  conn: Connection | null = null;
  private cancelDial: (() => void) | null = null;
  private readonly held: HeldConnection;
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly cfg: ResolvedPeer, private readonly clock: Clock, private readonly log: Logger, private readonly owner: LinkOwner) {
    this.held = new HeldConnection(clock, cfg.closeTimeoutMs);
  }

  /** An outbound connect is under way (its connectRetry expiring means no answer). */
  get dialing(): boolean { return this.cancelDial !== null; }

  /** An inbound TCP connection from this peer's address (passive or both). */
  accept(socket: Socket): void {
    const fsm = this.owner.fsm();
    const st = fsm.state;
    if (this.cfg.mode === 'active' || fsm.stopped || st === 'Idle') { socket.destroy(); return; }
    if ((st === 'Connect' || st === 'Active') && !this.conn) {
      this.dropConnecting();
      this.attach(socket, 'inbound');
      this.owner.dispatch({ type: 'TcpConnected', direction: 'inbound' });
      return;
    }
    if ((st === 'OpenSent' || st === 'OpenConfirm') && !this.held.busy) {
      this.held.hold(socket, (open) => {
        this.owner.collisionOpen(open);
        this.held.drop(); // the FSM took it or rejected it; if it ignored it (Idle), it goes
      });
      return;
    }
    // RFC 4271 §6.8: a collision with an Established session keeps the Established one
    const c = new Connection(socket, 'inbound', { message: () => {}, error: () => {}, closed: () => {} }, this.clock);
    c.send(collisionResolution());
    void c.close(this.cfg.closeTimeoutMs);
  }

  /** The FSM's `connect` effect. */
  connectOut(): void {
    this.dropConnecting();
    const { md5Key, ttlSecurity, sockets } = this.cfg;
    this.cancelDial = dial({ host: this.cfg.address, port: this.cfg.port ?? 179, localAddress: this.cfg.localAddress, md5Key, ttlSecurity, sockets }, (sock) => {
      this.cancelDial = null;
      this.attach(sock, 'outbound');
      this.owner.dispatch({ type: 'TcpConnected', direction: 'outbound' });
    }, (reason) => {
      this.cancelDial = null;
      this.log.debug('connect failed', { error: reason });
      this.owner.dispatch({ type: 'TcpFails', reason: `connect failed: ${reason}` });
    });
  }

  /** The FSM's `close` effect: the connection closes once its bytes are flushed (bounded). */
  close(): void {
    this.dropConnecting();
    const c = this.conn;
    this.conn = null;
    if (c) { const p = c.close(this.cfg.closeTimeoutMs); this.closing.add(p); void p.then(() => this.closing.delete(p)); }
  }

  /** RFC 4271 §6.8, the FSM's verdict on the held connection: notify and close it (Cease 6/7). */
  rejectCollision(n: NotificationMessage): void { this.held.reject(n); }

  /** RFC 4271 §6.8, the FSM's verdict: the held inbound connection replaces the current one. */
  acceptCollision(): void {
    const c = this.held.take();
    if (!c) return;
    this.log.info('connection collision: keeping the inbound connection');
    this.conn = c;
    c.setHandlers(this.owner.handlers());
  }

  /** On stop: drops the held connection; resolves once every close has flushed. */
  async settle(): Promise<void> {
    this.held.drop();
    await Promise.all([...this.closing]);
  }

  private dropConnecting(): void {
    this.cancelDial?.();
    this.cancelDial = null;
  }

  private attach(socket: Socket, direction: 'outbound' | 'inbound'): void {
    this.conn = new Connection(socket, direction, this.owner.handlers(), this.clock);
  }
}
