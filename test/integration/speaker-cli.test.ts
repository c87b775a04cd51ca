import t from 'tap';
import { spawn } from 'node:child_process';
import { loopbackBlock } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import type { NotificationMessage, UpdateMessage } from '../../src/bgp/types.js';
import { readShutdownCommunication } from '../../src/fsm/notifications.js';
import { establish, startScriptedPeer } from './scripted-peer.js';

// `vipd speak` as operators run it (the built CLI), against a scripted peer on loopback.

function speak(args: string[]) {
  const child = spawn('node', ['dist/cli/main.js', 'speak', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exit, stderr: () => stderr };
}

t.test('vipd speak: JSON events, announces, withdraws on SIGTERM with Cease 6/2 and our message, exits 0', async (t) => {
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const s = speak([
    '--local-as', '64600', '--peer', lo.router(0), '--peer-as', '64601', '--local-address', lo.speaker,
    '--port', String(peer.port), '--hold', '30', '--next-hop', '192.0.2.10', '--announce', '10.2.1.1/32',
    '--announce', '2620:0:860:1::10/128', '--next-hop', '2001:db8::10', '--med', '100', '--community', '64600:1',
    '--message', 'lvs1001 maintenance',
  ]);
  t.teardown(() => { s.child.kill('SIGKILL'); });
  const c = await peer.connection(0, 10_000);
  await establish(c);
  const u = (await c.next('UPDATE')) as UpdateMessage;
  t.same(u.nlri, ['10.2.1.1/32']);
  t.equal(u.attributes.med, 100);
  t.same(u.attributes.communities, [64600 * 65536 + 1]);
  const u6 = (await c.next('UPDATE')) as UpdateMessage;
  t.same(u6.attributes.mpReach?.nlri, ['2620:0:860:1::10/128']);
  await waitFor('established event', 5000, async () => s.lines.some((l) => l.event === 'established'));
  t.match(s.lines.find((l) => l.event === 'established'), { holdTime: 30, keepalive: 10, families: ['ipv4-unicast', 'ipv6-unicast'] });
  t.match(s.lines.find((l) => l.event === 'state'), { state: 'Connect' });
  t.ok(s.lines.some((l) => l.event === 'open-received'), 'open-received printed');

  s.child.kill('SIGTERM');
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    const m = await c.next(undefined, 5000);
    if (m.type === 'UPDATE') seen.push(m.withdrawn.length ? 'withdraw4' : m.attributes.mpUnreach?.withdrawn.length ? 'withdraw6' : 'update');
    if (m.type === 'NOTIFICATION') {
      seen.push(`${m.code}/${m.subcode}`);
      t.equal(readShutdownCommunication(m as NotificationMessage), 'lvs1001 maintenance', 'RFC 9003 message on the wire');
      break;
    }
  }
  t.same(seen.filter((x) => x !== 'update'), ['withdraw4', 'withdraw6', '6/2'], 'withdrawals, then Cease / Administrative Shutdown');
  await c.waitClosed();
  t.equal(await s.exit, 0, `exit 0 ${s.stderr()}`);
  t.match(s.lines.find((l) => l.event === 'notification-sent'), { code: 6, subcode: 2, message: 'lvs1001 maintenance' });
  t.same(s.lines.at(-1), { event: 'stopped' });
});

t.test('vipd speak: --withdraw-after and --duration', async (t) => {
  const lo = loopbackBlock();
  const peer = await startScriptedPeer(lo.router(0));
  t.teardown(() => peer.close());
  const s = speak(['--local-as', '4200000000', '--peer', lo.router(0), '--peer-as', '64601', '--local-address', lo.speaker,
    '--port', String(peer.port), '--next-hop', '192.0.2.10', '--announce', '10.2.1.1/32', '--withdraw-after', '0.5', '--duration', '1.5']);
  t.teardown(() => { s.child.kill('SIGKILL'); });
  const c = await peer.connection(0, 10_000);
  const open = await establish(c, { type: 'OPEN', version: 4, myAs: 64601, holdTime: 90, bgpId: '10.255.0.2', params: [{ type: 2, capabilities: [{ code: 65, name: 'four-octet-as', asn: 64601 }] }] });
  t.equal(open.myAs, 23456, 'a 4-octet local AS sends AS_TRANS');
  const first = (await c.next('UPDATE')) as UpdateMessage;
  t.same(first.attributes.asPath, [{ type: 'AS_SEQUENCE', asns: [4200000000] }]);
  let withdrawn: UpdateMessage | null = null;
  for (let i = 0; i < 5 && !withdrawn; i++) {
    const m = (await c.next('UPDATE', 3000)) as UpdateMessage;
    if (m.withdrawn.length) withdrawn = m;
  }
  t.same(withdrawn?.withdrawn, ['10.2.1.1/32'], 'withdrawn after --withdraw-after');
  t.equal((await c.next('NOTIFICATION', 3000)).type, 'NOTIFICATION');
  t.equal(await s.exit, 0);
});

t.test('vipd speak: bad flags are named', async (t) => {
  const s = speak(['--local-as', '64600', '--peer', '127.0.0.9', '--peer-as', '64601', '--announce', '10.2.1.1/33', '--community', 'x:y']);
  t.equal(await s.exit, 2);
  t.match(s.stderr(), /--announce '10\.2\.1\.1\/33' is not an IP prefix/);
  t.match(s.stderr(), /--community x:y: want ASN:VALUE/);
});
