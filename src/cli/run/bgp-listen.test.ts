// bgp-local-ips (PyBal's listener): a passive peer without bgp-local-address is listened for there.
import { connect } from 'node:net';
import t from 'tap';
import { formatIssue, parseConfig } from '../../config/index.js';
import { silentLogger } from '../../log/logger.js';
import { Speaker } from '../../speaker/index.js';
import { systemClock } from '../../time/clock.js';
import { speakerConfig } from './mapping.js';

const GLOBAL = '[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-nexthop-ipv4 = 10.255.0.1\nbgp-peer-address = [ "127.0.0.1" ]\n';

t.test('a passive peer is listened for on bgp-local-ips: a real connection gets our OPEN', async (t) => {
  const r = parseConfig(`${GLOBAL}bgp-passive = yes\nbgp-local-ips = [ "127.0.0.1" ]\nbgp-local-port = 0\n`, 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  const sc = speakerConfig(r.config);
  if ('errors' in sc) throw new Error(sc.errors.join('\n'));
  const speaker = new Speaker(sc.config, systemClock, silentLogger);
  await speaker.start();
  t.teardown(() => speaker.stop());
  const [l] = speaker.listening();
  t.equal(l?.address, '127.0.0.1');
  const first = await new Promise<Buffer>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port: l!.port });
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no OPEN within 5 s')); }, 5000);
    let got = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 19) { clearTimeout(timer); sock.destroy(); resolve(got); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  t.same([...first.subarray(0, 16)], new Array(16).fill(0xff), 'a BGP marker');
  t.equal(first[18], 1, 'an OPEN (RFC 4271 §4.2)');
});

t.test('"" in bgp-local-ips listens on every IPv4 address; several addresses need bgp-local-address', async (t) => {
  const r = parseConfig(`${GLOBAL}bgp-passive = yes\n`, 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  const sc = speakerConfig(r.config);
  t.equal('config' in sc ? sc.config.peers[0]!.localAddress : null, '0.0.0.0');
  const two = parseConfig(`${GLOBAL}bgp-passive = yes\nbgp-local-ips = [ "127.0.0.1", "127.0.0.2" ]\n`, 'f.conf');
  t.same(two.ok ? [] : two.errors.map(formatIssue),
    ['f.conf:7: [global] bgp-local-ips must hold one address to listen on for the passive peer 127.0.0.1 (or set its bgp-local-address)']);
  const own = parseConfig(`${GLOBAL}bgp-passive = yes\nbgp-local-address = 127.0.0.3\nbgp-local-ips = [ "127.0.0.1", "127.0.0.2" ]\n`, 'f.conf');
  t.ok(own.ok, 'its own bgp-local-address wins');
});
