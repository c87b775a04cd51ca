import t from 'tap';
import { speakPlan } from './speak.js';

const args = (over: Partial<Parameters<typeof speakPlan>[0]> = {}): Parameters<typeof speakPlan>[0] => ({
  'local-as': 64600, peer: '10.255.0.2', passive: false, 'next-hop': [], announce: ['10.2.1.1/32'], community: [],
  message: '', 'log-level': 'warn', ...over,
});

t.test('--peer-as: checked when given, any AS (learned from the OPEN) when left out', async (t) => {
  const given = speakPlan(args({ 'peer-as': 64601 }));
  t.same(given.errors, []);
  t.equal(given.peer.peerAs, 64601);
  const any = speakPlan(args());
  t.same(any.errors, []);
  t.notOk('peerAs' in any.peer, 'no AS handed to the speaker');
  t.match(any.peer, { address: '10.255.0.2', mode: 'active' });
});
