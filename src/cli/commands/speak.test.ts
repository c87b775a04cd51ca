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

t.test('--md5-password-file, --ttl-security, --graceful-restart', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vipd-speak-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'md5');
  writeFileSync(good, 'lab-secret\n', { mode: 0o600 });
  const ok = speakPlan(args({ 'md5-password-file': good, 'ttl-security': true, 'graceful-restart': 120 }));
  t.same(ok.errors, []);
  t.same(Buffer.from(ok.peer.md5Key!.bytes()).toString(), 'lab-secret', 'the file\'s line, its newline dropped');
  t.notMatch(JSON.stringify(ok.peer), /lab-secret/, 'the secret never prints');
  t.equal(ok.peer.ttlSecurity, true);
  t.equal(ok.peer.gracefulRestartTime, 120);
  const open = join(dir, 'open');
  writeFileSync(open, 'x\n', { mode: 0o644 });
  t.match(speakPlan(args({ 'md5-password-file': open })).errors, [/--md5-password-file: '.*open' is accessible to others/]);
  t.match(speakPlan(args({ 'md5-password-file': join(dir, 'none') })).errors, [/--md5-password-file: cannot read .*ENOENT/]);
  t.match(speakPlan(args({ 'graceful-restart': 0 })).errors, [/--graceful-restart 0: the restart time is 1..4095 seconds/]);
  t.notOk('gracefulRestartTime' in speakPlan(args()).peer, 'no capability unless asked');
});
