import type { Socket } from 'node:net';
import type { BgpMessage, OpenMessage } from '../bgp/types.js';
import {
  adminReset, adminShutdown, capabilitiesOf, notification, initialSession, transition,
  type Effect, type FsmEvent, type Negotiated, type Session, type TimerName,
} from '../fsm/index.js';
import type { Cancel, Clock } from '../time/clock.js';
import { CeaseSubcode, ErrorCode } from '../bgp/constants.js';
import type { Logger } from '../log/logger.js';
import { Announcer } from './announcer.js';
import { Received } from './received.js';
import type { Connection, ConnectionHandlers } from './connection.js';
import { PeerLinks } from './peer-links.js';
import { withCommunities, type CheckedRoute } from './routes.js';
export type { ResolvedPeer } from './session-config.js';
import type { PeerStatus, SpeakerEvent } from './types.js';
import { PeerStats } from './peer-stats.js';
import { defaultNextHop, msgOf, sessionConfig, type ResolvedPeer } from './session-config.js';
import { InboundWatch, noAnswerHint } from './secure-socket.js';
import { capabilityNames, familyNames, toFamilyNames } from './describe.js';

/** One neighbor: socket ↔ framer ↔ codec ↔ FSM; runs the FSM's effects and keeps the Adj-RIBs. */
export class PeerSession {
  private fsm: Session;
  private readonly links: PeerLinks;
  private readonly timers = new Map<TimerName, Cancel>();
  private readonly inbound: InboundWatch;
  private queue: FsmEvent[] = [];
  private busy = false;
  private routes: readonly CheckedRoute[] = [];
  /** Routes declared while the socket was blocked, sent once it drains (write backpressure). */
  private routesDeferred = false;
  private out: Announcer | null = null;
  /** End-of-RIB waits until the speaker knows all its routes (RFC 4724 §4.1); sent per session once. */
  private routesKnown = true;
  private endOfRibDue = false;
  private readonly received: Received;
  private readonly log: Logger;
  private readonly stats: PeerStats;

  constructor(readonly cfg: ResolvedPeer, private readonly clock: Clock, log: Logger, private readonly emit: (e: SpeakerEvent) => void) {
    this.log = log.child({ peer: cfg.address });
    this.fsm = initialSession(sessionConfig(cfg, []), cfg.restarting ?? false);
    this.stats = new PeerStats(clock);
    this.links = new PeerLinks(cfg, clock, this.log, {
      fsm: () => this.fsm, dispatch: (ev) => this.dispatch(ev), handlers: () => this.handlers(), collisionOpen: (open) => this.collisionOpen(open),
    });
    this.inbound = new InboundWatch(clock, this.fsm.config.connectRetryMs, () => this.noAnswer('accept'));
    this.received = new Received({
      peer: cfg.address, cfg, log: this.log, stats: this.stats, emit,
      teardown: (n, reason) => this.dispatch({ type: 'AutomaticStop', notification: n, reason }),
    });
  }

  get address(): string { return this.cfg.address; }
  get state(): Session['state'] { return this.fsm.state; }
  private get conn(): Connection | null { return this.links.conn; }

  /** Declares the routes; offered families follow them (applies to the next OPEN). */
  setRoutes(declared: readonly CheckedRoute[]): void {
    const routes = withCommunities(declared, this.cfg.communities);
    this.routes = routes;
    this.fsm = { ...this.fsm, config: sessionConfig(this.cfg, routes) };
    // Backpressure: while the peer does not read, only the latest declaration is kept, sent on drain
    if (this.conn?.blocked) { this.routesDeferred = true; return; }
    if (this.out && this.conn && this.fsm.state === 'Established') this.out.apply(routes);
  }

  start(): void { this.dispatch({ type: 'ManualStart' }); }

  /** `false` until `routesComplete()`: sessions send what is declared but hold End-of-RIB back. */
  awaitRoutes(): void { this.routesKnown = false; }

  routesComplete(): void {
    this.routesKnown = true;
    if (this.endOfRibDue && this.out && this.conn && this.fsm.state === 'Established') this.out.endOfRib();
    this.endOfRibDue = false;
  }

  /**
   * Full stop: withdraw everything, NOTIFICATION Cease 6/2 with the RFC 9003 message, then close
   * once the bytes are flushed (bounded by closeTimeoutMs). `graceful` (a planned restart, RFC
   * 4724): with graceful restart negotiated nothing is withdrawn and the connection just closes, so
   * the peer keeps the routes as stale; a peer without it gets the full stop.
   */
  async stop(message?: string, graceful = false): Promise<void> {
    const established = this.fsm.state === 'Established';
    const keep = graceful && (!established || (this.fsm.negotiated?.gracefulRestart ?? false));
    if (!keep && established && this.out && this.conn) this.out.withdrawAll();
    this.dispatch({ type: 'ManualStop', notification: keep ? adminReset(message) : adminShutdown(message), graceful: keep });
    this.inbound.waiting(false);
    for (const c of this.timers.values()) c();
    this.timers.clear();
    await this.links.settle();
  }

  /** RFC 9384: BFD saw the path to this peer fail: Cease / BFD Down, then reconnect as after any teardown. */
  bfdDown(why: string): void {
    if (this.fsm.state === 'Idle') return;
    this.dispatch({ type: 'AutomaticStop', notification: notification(ErrorCode.CEASE, CeaseSubcode.BFD_DOWN), reason: `BFD down: ${why}` });
  }

  /** An inbound TCP connection from this peer's address (passive or both). */
  accept(socket: Socket): void { this.links.accept(socket); }

  status(): PeerStatus {
    const side = !this.conn ? null : this.conn.direction === 'outbound' ? 'active' : 'passive';
    return this.stats.status(this.cfg, this.fsm, this.out?.size ?? 0, this.received.ribIn, side, this.conn?.pendingBytes ?? 0);
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
    // Our connect, or our OPEN, went unanswered: with TCP-MD5/GTSM, say the likely cause (after `down`)
    const unanswered = ev.type !== 'TimerExpired' ? null
      : ev.timer === 'connectRetry' && this.links.dialing ? 'connect' : ev.timer === 'hold' && previous === 'OpenSent' ? 'open' : null;
    this.fsm = session;
    if (session.state !== previous) {
      this.stats.since = this.clock.wallNow();
      this.log.debug('state', { from: previous, to: session.state });
      this.emit({ event: 'state', peer: this.address, state: session.state, previous });
    }
    for (const e of effects) this.run(e);
    if (unanswered) this.noAnswer(unanswered);
    this.inbound.waiting(this.cfg.mode === 'passive' && session.state === 'Active' && !session.stopped && !this.conn);
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
      case 'connect': return this.links.connectOut();
      case 'close': return this.links.close();
      case 'established': return this.established(e.negotiated);
      case 'down': {
        if (this.stats.establishedAt !== null) this.stats.flaps++;
        this.stats.establishedAt = null;
        this.out = null;
        this.routesDeferred = false;
        this.stats.refused = [];
        this.received.ribIn.clear();
        this.stats.lastDown = e.reason;
        this.log.info('session down', { reason: e.reason });
        this.emit({ event: 'down', peer: this.address, reason: e.reason });
        return;
      }
      case 'update': return this.received.update(e.update);
      case 'updateError': return this.received.updateError(e.error);
      case 'routeRefresh': if (this.fsm.negotiated) this.out?.refresh(e.refresh.afi, e.refresh.safi, this.fsm.negotiated); return;
      case 'capabilityFallback':
        this.log.warn('peer refused our capabilities; reconnecting without them', { dropped: e.dropped === 'all' ? 'all' : e.dropped.join(',') });
        this.emit({ event: 'capability-fallback', peer: this.address, dropped: e.dropped });
        return;
      case 'rejectCollision': return this.links.rejectCollision(e.notification);
      case 'acceptCollision': return this.links.acceptCollision();
    }
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

  private noAnswer(phase: 'connect' | 'open' | 'accept'): void {
    const hint = noAnswerHint(this.cfg, phase);
    if (!hint) return;
    if (this.stats.lastDown !== hint) this.log.warn(hint);
    this.stats.lastDown = hint;
  }

  private handlers(): ConnectionHandlers {
    return {
      message: (m) => this.onMessage(m),
      error: (err) => this.dispatch({ type: 'MessageError', error: err }),
      closed: (reason) => { this.links.conn = null; this.dispatch({ type: 'TcpFails', reason }); },
      blocked: () => {
        this.log.debug('send buffer full: the peer is not reading', { queued: this.conn?.pendingBytes ?? 0 });
        this.dispatch({ type: 'SendBlocked' });
      },
      drained: () => {
        this.dispatch({ type: 'SendDrained' });
        if (this.routesDeferred && this.out && this.conn && this.fsm.state === 'Established') this.out.apply(this.routes);
        this.routesDeferred = false;
      },
    };
  }

  private onMessage(m: BgpMessage): void {
    switch (m.type) {
      case 'OPEN':
        this.openReceived(m);
        this.dispatch({ type: 'Open', open: m });
        return this.negotiatedContext();
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
    this.out.initial(this.routes, this.routesKnown);
    this.endOfRibDue = !this.routesKnown;
  }

  private openReceived(m: OpenMessage): void {
    this.emit({ event: 'open-received', peer: this.address, asn: m.myAs, holdTime: m.holdTime, bgpId: m.bgpId, capabilities: capabilityNames(capabilitiesOf(m)) });
  }

  private negotiatedContext(): void {
    const n = this.fsm.negotiated;
    if (n && this.conn) this.conn.setContext({ fourOctetAs: n.fourOctetAs, extendedMessage: n.extendedMessage });
  }

  /** RFC 4271 §6.8: the OPEN on the held second connection; the FSM decides which connection stays. */
  private collisionOpen(open: OpenMessage): void {
    this.openReceived(open);
    this.dispatch({ type: 'CollisionOpen', open });
    this.negotiatedContext();
  }
}
