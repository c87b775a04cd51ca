import t from 'tap';
import { PeerStats } from './peer-stats.js';
import { AdjRibIn } from './adj-rib-in.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { negotiate } from '../fsm/negotiation.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';
import type { Session } from '../fsm/types.js';

function established(peerAs: number): Session {
  const s = sessionIn('OpenSent');
  const { peerAs: _drop, ...config } = s.config;
  const n = negotiate({ ...s, config }, peerOpen({ myAs: peerAs, params: [] }));
  if (!n.ok) throw new Error(n.reason);
  return { ...s, config, state: 'Established', negotiated: n.value };
}

t.test('status: the configured AS, else the learned one (kept after the session drops)', async (t) => {
  const stats = new PeerStats(new FakeClock());
  const rin = new AdjRibIn(10);
  const idle: Session = { ...sessionIn('Idle'), negotiated: undefined };
  t.match(stats.status({ address: '10.0.0.2', peerAs: 64601 }, idle, 0, rin, null), { peerAs: 64601, peerAsConfigured: true });
  t.match(stats.status({ address: '10.0.0.2' }, idle, 0, rin, null), { peerAs: null, peerAsConfigured: false }, 'nothing learned yet');
  const up = established(65010);
  t.match(stats.status({ address: '10.0.0.2' }, up, 0, rin, 'active'), { peerAs: 65010, peerAsConfigured: false, state: 'Established', side: 'active' });
  stats.learnedAs = 65010;
  t.match(stats.status({ address: '10.0.0.2' }, idle, 0, rin, null), { peerAs: 65010, peerAsConfigured: false, state: 'Idle' });
});
