import t from 'tap';
import { checkPeer } from './check-config.js';
import { Speaker } from './speaker.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { silentLogger } from '../log/logger.js';

t.test('every bad peer setting is named', async (t) => {
  const e = checkPeer({
    address: 'router1', peerAs: 0, localAddress: '10.0.0.300', port: 70000, holdTime: 2, keepalive: 0, mode: 'passive',
    nextHop: { ipv4: '2001:db8::1' }, maxPrefixes: -1, inboundLimit: 0, inboundLimitAction: 'drop' as 'discard', families: ['ipx' as 'ipv4'], gracefulRestartTime: 5000,
  }, 'peer 1');
  t.same(e, [
    "peer 1: address 'router1' is not an IP address",
    'peer 1: peer AS must be 1..4294967295, got 0',
    "peer 1: local address '10.0.0.300' is not an IP address",
    'peer 1: port must be 1..65535 (0 = ephemeral, passive only), got 70000',
    'peer 1: hold time must be 0 or 3..65535 seconds, got 2',
    'peer 1: keepalive must be 1..21845 seconds, got 0',
    'peer 1: next hop 2001:db8::1 is not ipv4',
    'peer 1: max prefixes must be a non-negative integer, got -1',
    'peer 1: inbound limit must be a positive integer, got 0',
    "peer 1: inbound limit action must be discard or teardown, got 'drop'",
    "peer 1: family must be ipv4 or ipv6, got 'ipx'",
    'peer 1: graceful restart time must be 0..4095 seconds, got 5000',
  ]);
  t.same(checkPeer({ address: '10.0.0.1', peerAs: 64601, mode: 'both' }, 'p'), ['p: mode both needs a local address to listen on']);
  t.same(checkPeer({ address: '10.0.0.1', peerAs: 4200000000, holdTime: 0 }, 'p'), []);
});

t.test('the peer AS is optional (any AS, as PyBal); when given it must be a real AS', async (t) => {
  t.same(checkPeer({ address: '10.0.0.1' }, 'p'), []);
  t.same(checkPeer({ address: '10.0.0.1', peerAs: 4294967296 }, 'p'), ['p: peer AS must be 1..4294967295, got 4294967296']);
});

t.test('the Speaker refuses a bad config with every problem in one message', async (t) => {
  t.throws(() => new Speaker({ localAs: 0, routerId: '0.0.0.0', peers: [{ address: 'x', peerAs: 1 }] }, new FakeClock(), silentLogger), {
    message: "speaker config: local AS must be 1..4294967295, got 0; peer 1 (x): address 'x' is not an IP address; router id '0.0.0.0' is not a non-zero dotted quad",
  });
});

t.test('setAdvertised rejects bad routes and keeps the previous declaration', async (t) => {
  const s = new Speaker({ localAs: 64600, routerId: '10.0.0.1', peers: [] }, new FakeClock(), silentLogger);
  s.setAdvertised([{ prefix: '10.2.1.1/32' }]);
  t.throws(() => s.setAdvertised([{ prefix: '10.2.1.1/32' }, { prefix: 'bogus' }]), /setAdvertised: route 2 \(bogus\)/);
  t.equal(s.status().advertised, 1);
  t.same(s.status(), { localAs: 64600, routerId: '10.0.0.1', advertised: 1, peers: [] });
});
