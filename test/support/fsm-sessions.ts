// Sessions in each state and one event of each kind, for the FSM unit tests.
import type { OpenMessage } from '../../src/bgp/types.js';
import type { FsmEvent, Session, SessionConfig, State } from '../../src/fsm/types.js';
import { initialSession } from '../../src/fsm/transition.js';
import { negotiate } from '../../src/fsm/negotiation.js';
import { maxPrefixesReached, notification } from '../../src/fsm/notifications.js';

export const config: SessionConfig = {
  localAs: 64600, peerAs: 64601, bgpId: '10.255.0.1', holdTime: 90, mode: 'both',
  families: [{ afi: 1, safi: 1 }], connectRetryMs: 5000, idleHoldMs: 1000, idleHoldMaxMs: 8000, stableMs: 60_000,
};

export const peerOpen = (over: Partial<OpenMessage> = {}): OpenMessage => ({
  type: 'OPEN', version: 4, myAs: 64601, holdTime: 30, bgpId: '10.255.0.2',
  params: [{ type: 2, capabilities: [
    { code: 1, name: 'multiprotocol', afi: 1, safi: 1 },
    { code: 2, name: 'route-refresh' },
    { code: 65, name: 'four-octet-as', asn: 64601 },
  ] }],
  ...over,
});

/** A session as it is in `state` after the usual way there (negotiated from peerOpen() once past OpenSent). */
export function sessionIn(state: State, cfg: Partial<SessionConfig> = {}): Session {
  const s: Session = { ...initialSession({ ...config, ...cfg }), state, stopped: false };
  if (state === 'OpenSent' || state === 'OpenConfirm' || state === 'Established') s.connection = 'outbound';
  if (state === 'OpenConfirm' || state === 'Established') {
    const n = negotiate(s, peerOpen());
    if (!n.ok) throw new Error(n.reason);
    s.negotiated = n.value;
  }
  return s;
}

export const EVENTS: Record<string, FsmEvent> = {
  start: { type: 'ManualStart' },
  stop: { type: 'ManualStop' },
  autostop: { type: 'AutomaticStop', notification: maxPrefixesReached({ afi: 1, safi: 1 }, 1000), reason: 'limit' },
  'timer.connectRetry': { type: 'TimerExpired', timer: 'connectRetry' },
  'timer.hold': { type: 'TimerExpired', timer: 'hold' },
  'timer.keepalive': { type: 'TimerExpired', timer: 'keepalive' },
  'timer.idleHold': { type: 'TimerExpired', timer: 'idleHold' },
  'timer.delayOpen': { type: 'TimerExpired', timer: 'delayOpen' },
  'timer.dampingReset': { type: 'TimerExpired', timer: 'dampingReset' },
  tcpOut: { type: 'TcpConnected', direction: 'outbound' },
  tcpIn: { type: 'TcpConnected', direction: 'inbound' },
  tcpFail: { type: 'TcpFails' },
  open: { type: 'Open', open: peerOpen() },
  openBadAs: { type: 'Open', open: peerOpen({ myAs: 65000, params: [] }) },
  headerErr: { type: 'MessageError', error: { code: 1, subcode: 2, data: new Uint8Array([0, 5]), action: 'session-reset', message: 'bad length' } },
  attrErr: { type: 'MessageError', error: { code: 3, subcode: 1, data: new Uint8Array(0), action: 'treat-as-withdraw', message: 'bad origin' } },
  notif: { type: 'Notification', notification: notification(6, 2) },
  notif27: { type: 'Notification', notification: notification(2, 7, new Uint8Array([65, 4, 0, 0, 0xfc, 0x58])) },
  keepalive: { type: 'Keepalive' },
  update: { type: 'Update', update: { type: 'UPDATE', withdrawn: [], attributes: {}, nlri: [] } },
  refresh: { type: 'RouteRefresh', refresh: { type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 } },
  collision: { type: 'CollisionOpen', open: peerOpen() },
  'timer.sendHold': { type: 'TimerExpired', timer: 'sendHold' },
  blocked: { type: 'SendBlocked' },
  drained: { type: 'SendDrained' },
};
