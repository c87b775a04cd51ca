import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { captureTimeline, type WireEvent } from './capture-timeline.js';
import { effectiveAs, openCapabilities, type BgpMessage, type OpenMessage } from '../../src/bgp/index.js';
import { initialSession, transition, type Effect, type FsmEvent, type Session } from '../../src/fsm/index.js';
import { AdjRibIn } from '../../src/speaker/adj-rib-in.js';
import { maxPrefixesReached } from '../../src/fsm/notifications.js';

// Replays the router's side of each of our interop captures (test/fixtures/pcaps/speaker, made by the
// speaker tests with VIPD_CAPTURE_DIR) into the pure FSM, and checks that it answers with the same
// sequence as the real speaker did: OPEN (with the same capabilities), the KEEPALIVE that confirms
// the peer's OPEN, ROUTE-REFRESH BoRR/EoRR, and NOTIFICATION codes. UPDATE contents come from the
// Adj-RIB-Out and KEEPALIVE ticks from timers, so they are not part of the comparison. Events the
// router did not cause (our graceful stop, our hold timer) are injected where the capture shows them.
const DIR = 'test/fixtures/pcaps/speaker';
const SPEAKER_AS = 64600;
/** The peer AS every speaker test configures (a scripted peer may claim another one). */
const ROUTER_AS = 64601;
const files = readdirSync(DIR).filter((f) => f.endsWith('.pcap')).sort();

t.ok(files.length >= 6, `${DIR} holds the interop captures (found ${files.length})`);

function norm(m: BgpMessage, firstKeepalive: { seen: boolean }): string | null {
  switch (m.type) {
    case 'OPEN': return `OPEN ${openCapabilities(m).map((c) => c.code).sort((a, b) => a - b).join(',')}`;
    case 'KEEPALIVE': if (firstKeepalive.seen) return null; firstKeepalive.seen = true; return 'KEEPALIVE';
    case 'NOTIFICATION': return `NOTIFICATION ${m.code}/${m.subcode}`;
    case 'ROUTE-REFRESH': return `ROUTE-REFRESH ${m.subtype}`;
    default: return null;
  }
}

function toEvent(m: BgpMessage): FsmEvent {
  switch (m.type) {
    case 'OPEN': return { type: 'Open', open: m };
    case 'KEEPALIVE': return { type: 'Keepalive' };
    case 'UPDATE': return { type: 'Update', update: m };
    case 'NOTIFICATION': return { type: 'Notification', notification: m };
    case 'ROUTE-REFRESH': return { type: 'RouteRefresh', refresh: m };
  }
}

function replay(wire: WireEvent[]): { expected: string[]; actual: string[] } {
  const msgs = wire.filter((e) => e.message);
  const ours = msgs.filter((e) => e.fromSpeaker);
  const firstOpen = ours.find((e) => e.message?.type === 'OPEN')?.message as OpenMessage;
  const families = openCapabilities(firstOpen).flatMap((c) => (c.name === 'multiprotocol' ? [{ afi: c.afi, safi: c.safi }] : []));
  let s: Session = initialSession({
    localAs: effectiveAs(firstOpen), peerAs: ROUTER_AS, bgpId: firstOpen.bgpId, holdTime: firstOpen.holdTime,
    mode: 'active', families, connectRetryMs: 5000, idleHoldMs: 200, idleHoldMaxMs: 1000, stableMs: 60_000,
  });
  const expected: string[] = [];
  const actual: string[] = [];
  const ribIn = new AdjRibIn(1000);
  let ka = { seen: false };
  const run = (ev: FsmEvent): void => {
    const r = transition(s, ev);
    s = r.session;
    for (const e of r.effects as Effect[]) {
      if (e.type === 'send') { const n = norm(e.message, ka); if (n) actual.push(n); }
      if (e.type === 'routeRefresh' && s.negotiated?.enhancedRouteRefresh) actual.push('ROUTE-REFRESH 1', 'ROUTE-REFRESH 2');
      if (e.type === 'update') {
        const over = ribIn.apply(e.update).overLimit;
        if (over) run({ type: 'AutomaticStop', notification: maxPrefixesReached(over, 1000), reason: 'inbound limit' });
      }
      if (e.type === 'down') ribIn.clear();
    }
  };
  const connections = [...new Set(msgs.map((e) => e.connection))];
  for (const c of connections) {
    run(s.stopped ? { type: 'ManualStart' } : { type: 'TimerExpired', timer: 'idleHold' });
    run({ type: 'TcpConnected', direction: 'outbound' });
    const exp = { seen: false };
    ka = { seen: false };
    for (const e of msgs.filter((x) => x.connection === c)) {
      if (e.fromSpeaker) { const n = norm(e.message as BgpMessage, exp); if (n) expected.push(n); }
      else if (s.state !== 'Idle') run(toEvent(e.message as BgpMessage));
    }
    // What we did on our own initiative, as the capture shows it.
    const last = expected.at(-1);
    if (s.state !== 'Idle' && last === 'NOTIFICATION 6/2') {
      const n = ours.filter((e) => e.connection === c && e.message?.type === 'NOTIFICATION').at(-1)?.message;
      run({ type: 'ManualStop', ...(n?.type === 'NOTIFICATION' ? { notification: n } : {}) });
    } else if (s.state !== 'Idle' && last === 'NOTIFICATION 4/0') run({ type: 'TimerExpired', timer: 'hold' });
    else if (s.state !== 'Idle' && last?.startsWith('NOTIFICATION 1/')) {
      // A header error: the capture reader cannot cut such bytes out as a message, so it is fed as the framer's error.
      const sub = Number(last.split('/')[1]);
      run({ type: 'MessageError', error: { code: 1, subcode: sub, data: new Uint8Array(), action: 'session-reset', message: 'bad header' } });
    }
    else if (s.state !== 'Idle') run({ type: 'TcpFails' });
  }
  return { expected, actual };
}

for (const f of files) {
  t.test(f, async (t) => {
    const wire = captureTimeline(join(DIR, f), '');
    const ourOpen = wire.find((e) => e.message?.type === 'OPEN' && effectiveAs(e.message) === SPEAKER_AS);
    t.ok(ourOpen, 'the capture holds our OPEN');
    if (!ourOpen) return;
    const ours = captureTimeline(join(DIR, f), ourOpen.src);
    const { expected, actual } = replay(ours);
    t.ok(expected.length >= 3, `our side sent something to compare (${expected.length} items)`);
    t.same(actual, expected, 'the FSM answers the router exactly as the speaker did');
  });
}
