import type { Socket } from 'node:net';
import type { BgpMessage, Family, OpenMessage } from '../bgp/types.js';
import {
  adminShutdown, capabilitiesOf, initialSession, keepLocallyInitiated, peerAsOf, maxPrefixesReached, notification,
  transition, CEASE_COLLISION, ERR_CEASE,
  type Effect, type FsmEvent, type Negotiated, type Session, type TimerName,
} from '../fsm/index.js';
import type { Cancel, Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import { Announcer } from './announcer.js';
import { AdjRibIn, DEFAULT_INBOUND_LIMIT } from './adj-rib-in.js';
import { Connection, type ConnectionHandlers } from './connection.js';
import { withCommunities, type CheckedRoute } from './routes.js';
export type { ResolvedPeer } from './session-config.js';
import type { PeerStatus, SpeakerEvent } from './types.js';
import { PeerStats } from './peer-stats.js';
import { defaultNextHop, msgOf, sessionConfig, type ResolvedPeer } from './session-config.js';
import { dial } from './dial.js';
import { capabilityNames, familyNames, toFamilyNames } from './describe.js';

/** One neighbor: socket ↔ framer ↔ codec ↔ FSM; runs the FSM's effects and keeps the Adj-RIBs. */
export class PeerSession {
  private fsm: Session;
  private conn: Connection | null = null;
  private cancelDial: (() => void) | null = null;
  private pendingInbound: Connection | null = null;
  private readonly timers = new Map<TimerName, Cancel>();
  private readonly closing = new Set<Promise<void>>();
  private queue: FsmEvent[] = [];
  private busy = false;
  private routes: readonly CheckedRoute[] = [];
  private out: Announcer | null = null;
  private readonly ribIn: AdjRibIn;
  private readonly log: Logger;
  private readonly stats: PeerStats;

  constructor(readonly cfg: ResolvedPeer, private readonly clock: Clock, log: Logger, private readonly emit: (e: SpeakerEvent) => void) {
    this.log = log.child({ peer: cfg.address });
    this.fsm = initialSession(sessionConfig(cfg, []));
    this.ribIn = new AdjRibIn(cfg.inboundLimit ?? DEFAULT_INBOUND_LIMIT);
    this.stats = new PeerStats(clock);
  }

  get address(): string { return this.cfg.address; }
  get state(): Session['state'] { return this.fsm.state; }

  /** Declares the routes; offered families follow them (applies to the next OPEN). */
  setRoutes(declared: readonly CheckedRoute[]): void {
    const routes = withCommunities(declared, this.cfg.communities);
    this.routes = routes;
    this.fsm = { ...this.fsm, config: sessionConfig(this.cfg, routes) };
    if (this.out && this.conn && this.fsm.state === 'Established') this.out.apply(routes);
  }

  start(): void { this.dispatch({ type: 'ManualStart' }); }

  /**
   * Graceful stop: withdraw everything, NOTIFICATION Cease 6/2 with the RFC 9003 message, then close
   * once the bytes are flushed (bounded by closeTimeoutMs).
   */
  async stop(message?: string): Promise<void> {
    if (this.fsm.state === 'Established' && this.out && this.conn) this.out.withdrawAll();
    this.dispatch({ type: 'ManualStop', notification: adminShutdown(message) });
    this.pendingInbound?.close(0);
    this.pendingInbound = null;
    for (const c of this.timers.values()) c();
    this.timers.clear();
    await Promise.all([...this.closing]);
  }

  /** An inbound TCP connection from this peer's address (passive or both). */
  accept(socket: Socket): void {
    const st = this.fsm.state;
    if (this.cfg.mode === 'active' || this.fsm.stopped || st === 'Idle') { socket.destroy(); return; }
    if ((st === 'Connect' || st === 'Active') && !this.conn) {
      this.dropConnecting();
      this.attach(socket, 'inbound');
      this.dispatch({ type: 'TcpConnected', direction: 'inbound' });
      return;
    }
    if ((st === 'OpenSent' || st === 'OpenConfirm') && !this.pendingInbound) {
      this.holdForCollision(socket);
      return;
    }
    // RFC 4271 §6.8: a collision with an Established session keeps the Established one
    const c = new Connection(socket, 'inbound', { message: () => {}, error: () => {}, closed: () => {} }, this.clock);
    c.send(notification(ERR_CEASE, CEASE_COLLISION));
    void c.close(this.cfg.closeTimeoutMs);
  }

  status(): PeerStatus {
    const side = !this.conn ? null : this.conn.direction === 'outbound' ? 'active' : 'passive';
    return this.stats.status(this.cfg, this.fsm, this.out?.size ?? 0, this.ribIn, side);
  }

  private dispatch(ev: FsmEvent): void {
    this.queue.push(ev);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let guard = 0; this.queue.length && guard < 10_000; guard++) this.step(this.queue.shift() as FsmEvent);
    } finally {
      this.busy = false;
    }
  }

  private step(ev: FsmEvent): void {
    const previous = this.fsm.state;
    const { session, effects } = transition(this.fsm, ev);
    this.fsm = session;
    if (session.state !== previous) {
      this.stats.since = this.clock.wallNow();
      this.log.debug('state', { from: previous, to: session.state });
      this.emit({ event: 'state', peer: this.address, state: session.state, previous });
    }
    for (const e of effects) this.run(e);
  }

  private run(e: Effect): void {
    switch (e.type) {
      case 'send': return this.send(e.message);
      case 'startTimer': {
        this.timers.get(e.timer)?.();
        const timer = e.timer;
        this.timers.set(timer, this.clock.setTimer(e.ms, () => { this.timers.delete(timer); this.dispatch({ type: 'TimerExpired', timer }); }));
        return;
      }
      case 'stopTimer': this.timers.get(e.timer)?.(); this.timers.delete(e.timer); return;
      case 'connect': return this.connectOut();
      case 'close': {
        this.dropConnecting();
        const c = this.conn;
        this.conn = null;
        if (c) { const p = c.close(this.cfg.closeTimeoutMs); this.closing.add(p); void p.then(() => this.closing.delete(p)); }
        return;
      }
      case 'established': return this.established(e.negotiated);
      case 'down': {
        if (this.stats.establishedAt !== null) this.stats.flaps++;
        this.stats.establishedAt = null;
        this.out = null;
        this.stats.refused = [];
        this.ribIn.clear();
        this.stats.lastDown = e.reason;
        this.log.info('session down', { reason: e.reason });
        this.emit({ event: 'down', peer: this.address, reason: e.reason });
        return;
      }
      case 'update': {
        this.stats.updatesReceived++;
        const err = e.update.errors?.[0];
        if (err) this.run({ type: 'updateError', error: err });
        // RFC 7606 §2: the UPDATE's routes count as withdrawn
        if (e.update.treatAsWithdraw) { this.ribIn.withdrawAllOf(e.update); return; }
        const wasOver = this.ribIn.beyondLimit > 0;
        const r = this.ribIn.apply(e.update);
        this.emit({ event: 'update-received', peer: this.address, announced: r.announced, withdrawn: r.withdrawn, total: r.total });
        if (r.overLimit) this.overInboundLimit(r.overLimit, wasOver);
        return;
      }
      case 'updateError':
        this.log.warn('UPDATE error handled without reset (RFC 7606)', { error: e.error.message, action: e.error.action });
        this.emit({ event: 'update-error', peer: this.address, code: e.error.code, subcode: e.error.subcode, action: e.error.action, message: e.error.message });
        return;
      case 'routeRefresh': if (this.fsm.negotiated) this.out?.refresh(e.refresh.afi, e.refresh.safi, this.fsm.negotiated); return;
      case 'capabilityFallback':
        this.log.warn('peer refused our capabilities; reconnecting without them', { dropped: e.dropped === 'all' ? 'all' : e.dropped.join(',') });
        this.emit({ event: 'capability-fallback', peer: this.address, dropped: e.dropped });
        return;
    }
  }

  /**
   * The peer sent more than the inbound limit. vipd uses no received route, so by default the excess
   * is discarded and counted (the alert comes from status()); only `teardown` ends the session.
   */
  private overInboundLimit(family: Family, wasOver: boolean): void {
    const limit = this.ribIn.limit;
    if (this.cfg.inboundLimitAction === 'teardown') {
      // RFC 4486 §4: Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the limit
      this.dispatch({ type: 'AutomaticStop', notification: maxPrefixesReached(family, limit), reason: `peer sent more than ${limit} prefixes` });
      return;
    }
    if (wasOver) return;
    this.log.warn('peer sent more prefixes than the inbound limit: the excess is discarded, the session kept', { limit, received: this.ribIn.size });
    this.emit({ event: 'inbound-limit', peer: this.address, limit, received: this.ribIn.size, action: 'discard' });
  }

  private send(m: BgpMessage): void {
    if (!this.conn) return;
    this.conn.send(m);
    if (m.type === 'UPDATE') this.stats.updatesSent++;
    if (m.type === 'NOTIFICATION') {
      const r = this.stats.lastSent = this.stats.record(m);
      this.log.info('NOTIFICATION sent', { code: m.code, subcode: m.subcode, name: r.name });
      this.emit({ event: 'notification-sent', peer: this.address, code: m.code, subcode: m.subcode, name: r.name, ...msgOf(r) });
    }
  }

  private connectOut(): void {
    this.dropConnecting();
    const cancel = dial({ host: this.cfg.address, port: this.cfg.port ?? 179, localAddress: this.cfg.localAddress }, (sock) => {
      this.cancelDial = null;
      this.attach(sock, 'outbound');
      this.dispatch({ type: 'TcpConnected', direction: 'outbound' });
    }, (reason) => {
      this.cancelDial = null;
      this.log.debug('connect failed', { error: reason });
      this.dispatch({ type: 'TcpFails', reason: `connect failed: ${reason}` });
    });
    this.cancelDial = cancel;
  }

  private dropConnecting(): void {
    this.cancelDial?.();
    this.cancelDial = null;
  }

  private handlers(): ConnectionHandlers {
    return {
      message: (m) => this.onMessage(m),
      error: (err) => this.dispatch({ type: 'MessageError', error: err }),
      closed: (reason) => { this.conn = null; this.dispatch({ type: 'TcpFails', reason }); },
    };
  }

  private attach(socket: Socket, direction: 'outbound' | 'inbound'): void {
    this.conn = new Connection(socket, direction, this.handlers(), this.clock);
  }

  private onMessage(m: BgpMessage): void {
    switch (m.type) {
      case 'OPEN':
        this.emit({ event: 'open-received', peer: this.address, asn: m.myAs, holdTime: m.holdTime, bgpId: m.bgpId, capabilities: capabilityNames(capabilitiesOf(m)) });
        this.dispatch({ type: 'Open', open: m });
        if (this.fsm.negotiated && this.conn) this.conn.setContext({ fourOctetAs: this.fsm.negotiated.fourOctetAs, extendedMessage: this.fsm.negotiated.extendedMessage });
        return;
      case 'UPDATE': return this.dispatch({ type: 'Update', update: m });
      case 'KEEPALIVE': return this.dispatch({ type: 'Keepalive' });
      case 'ROUTE-REFRESH': return this.dispatch({ type: 'RouteRefresh', refresh: m });
      case 'NOTIFICATION': {
        const r = this.stats.lastReceived = this.stats.record(m);
        this.log.info('NOTIFICATION received', { code: m.code, subcode: m.subcode, name: r.name, message: r.message });
        this.emit({ event: 'notification-received', peer: this.address, code: m.code, subcode: m.subcode, name: r.name, ...msgOf(r) });
        return this.dispatch({ type: 'Notification', notification: m });
      }
    }
  }

  private established(n: Negotiated): void {
    this.stats.establishedAt = this.clock.wallNow();
    this.stats.learnedAs = n.peerAs;
    const families = toFamilyNames(n.families);
    const localAddr = this.conn?.socket.localAddress;
    const nextHop = { ...defaultNextHop(localAddr), ...this.cfg.nextHop };
    this.out = new Announcer({ peer: this.address, log: this.log, stats: this.stats, emit: this.emit, send: (m) => this.send(m) },
      { localAs: this.cfg.localAs, families, nextHop, ...(this.cfg.maxPrefixes !== undefined ? { maxPrefixes: this.cfg.maxPrefixes } : {}) });
    this.log.info('session established', { peerAs: n.peerAs, holdTime: n.holdTime, families: familyNames(n.families).join(',') });
    this.emit({ event: 'established', peer: this.address, peerAs: n.peerAs, holdTime: n.holdTime, keepalive: n.keepalive, families: familyNames(n.families), capabilities: capabilityNames(n.peerCapabilities) });
    this.out.initial(this.routes);
  }

  /** RFC 4271 §6.8: hold a second connection until its OPEN names the peer, then keep one. */
  private holdForCollision(socket: Socket): void {
    const pending = new Connection(socket, 'inbound', {
      message: (m) => { if (m.type === 'OPEN') this.resolveCollision(pending, m); else this.dropPending(); },
      error: () => this.dropPending(),
      closed: () => { if (this.pendingInbound === pending) this.pendingInbound = null; },
    }, this.clock);
    this.pendingInbound = pending;
  }

  private dropPending(): void {
    void this.pendingInbound?.close(0);
    this.pendingInbound = null;
  }

  private resolveCollision(pending: Connection, open: OpenMessage): void {
    const current = this.conn;
    const keepCurrent = !current || this.fsm.state === 'Established' ||
      (current.direction === 'outbound') === keepLocallyInitiated(this.cfg.bgpId, open.bgpId, this.cfg.localAs, this.cfg.peerAs ?? peerAsOf(open));
    if (keepCurrent) {
      pending.send(notification(ERR_CEASE, CEASE_COLLISION));
      void pending.close(this.cfg.closeTimeoutMs);
      this.pendingInbound = null;
      return;
    }
    this.log.info('connection collision: keeping the inbound connection');
    this.dispatch({ type: 'OpenCollisionDump' });
    this.timers.get('idleHold')?.();
    this.timers.delete('idleHold');
    this.pendingInbound = null;
    this.fsm = { ...this.fsm, state: 'Active', stopped: false };
    this.conn = pending;
    pending.setHandlers(this.handlers());
    this.dispatch({ type: 'TcpConnected', direction: 'inbound' });
    this.onMessage(open);
  }
}
