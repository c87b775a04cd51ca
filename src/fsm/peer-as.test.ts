import t from 'tap';
import { negotiate, AS_TRANS } from './negotiation.js';
import { transition } from './transition.js';
import type { Session, State } from './types.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';
import type { OpenMessage } from '../bgp/types.js';

// The peer's AS: checked against bgp-peer-as when configured (2/2), else any usable AS is accepted
// and learned from the OPEN, as PyBal did.

const code = (r: ReturnType<typeof negotiate>): string => (r.ok ? 'ok' : `${r.error.code}/${r.error.subcode}`);

/** A session in `state` with no peer AS configured. */
function anyAs(state: State, over: Partial<Session['config']> = {}): Session {
  const s = sessionIn(state, over);
  const { peerAs: _drop, ...config } = s.config;
  return { ...s, config };
}

const fourOctet = (asn: number, over: Partial<OpenMessage> = {}): OpenMessage =>
  peerOpen({ myAs: asn > 0xffff ? AS_TRANS : asn, params: [{ type: 2, capabilities: [{ code: 65, name: 'four-octet-as', asn }] }], ...over });

t.test('configured peer AS: only that AS is accepted, another gets 2/2 with the AS it claimed', async (t) => {
  const s = sessionIn('OpenSent', { peerAs: 64601 });
  const ok = negotiate(s, peerOpen());
  t.equal(code(ok), 'ok');
  if (ok.ok) t.equal(ok.value.peerAs, 64601);
  const bad = negotiate(s, fourOctet(65000));
  t.equal(code(bad), '2/2');
  if (!bad.ok) {
    t.same([...bad.error.data], [0xfd, 0xe8]);
    t.match(bad.reason, /peer AS 65000, expected 64601/);
  }
});

t.test('no peer AS configured: any AS is accepted and recorded, 2- or 4-octet', async (t) => {
  const s = anyAs('OpenSent');
  t.equal(s.config.peerAs, undefined, 'the session really has no AS configured');
  for (const asn of [1, 64601, 65000, 65534, 65536, 4200000000, 4294967294]) {
    const r = negotiate(s, fourOctet(asn));
    t.equal(code(r), 'ok', `AS ${asn} accepted`);
    if (r.ok) t.equal(r.value.peerAs, asn, `AS ${asn} learned`);
  }
  const twoOctetOnly = negotiate(s, peerOpen({ myAs: 65010, params: [] }));
  t.equal(twoOctetOnly.ok && twoOctetOnly.value.peerAs, 65010, 'My AS when the peer sends no capability 65');
});

t.test('no peer AS configured: the reserved ASNs still get 2/2 (RFC 7607, RFC 7300)', async (t) => {
  const s = anyAs('OpenSent');
  for (const [asn, data] of [[0, [0, 0]], [65535, [0xff, 0xff]], [4294967295, [0xff, 0xff, 0xff, 0xff]]] as const) {
    const r = negotiate(s, asn > 0xffff ? fourOctet(asn) : peerOpen({ myAs: asn, params: [] }));
    t.equal(code(r), '2/2', `AS ${asn} refused`);
    if (!r.ok) t.same([...r.error.data], data, 'data carries the AS');
  }
});

t.test('the learned AS decides iBGP: our own BGP identifier is refused only from our own AS', async (t) => {
  const s = anyAs('OpenSent');
  const ownId = s.config.bgpId;
  t.equal(code(negotiate(s, fourOctet(64600, { bgpId: ownId }))), '2/3', 'iBGP (learned AS = ours) with our identifier');
  t.equal(code(negotiate(s, fourOctet(65000, { bgpId: ownId }))), 'ok', 'eBGP may share the identifier (RFC 6286)');
  t.equal(code(negotiate(sessionIn('OpenSent', { peerAs: 64600 }), fourOctet(64600, { bgpId: ownId }))), '2/3', 'configured iBGP alike');
});

t.test('through the FSM: OpenConfirm keeps the learned AS and Established reports it', async (t) => {
  const opened = transition(anyAs('OpenSent'), { type: 'Open', open: fourOctet(4200000000) });
  t.equal(opened.session.state, 'OpenConfirm');
  t.equal(opened.session.negotiated?.peerAs, 4200000000);
  const est = transition(opened.session, { type: 'Keepalive' });
  t.equal(est.session.state, 'Established');
  const e = est.effects.find((x) => x.type === 'established');
  t.equal(e && e.type === 'established' ? e.negotiated.peerAs : null, 4200000000);
  const refused = transition(anyAs('OpenSent'), { type: 'Open', open: peerOpen({ myAs: 0, params: [] }) });
  t.equal(refused.session.state, 'Idle', 'AS 0 ends the session');
  t.ok(refused.effects.some((x) => x.type === 'send' && x.message.type === 'NOTIFICATION' && x.message.code === 2 && x.message.subcode === 2));
});
