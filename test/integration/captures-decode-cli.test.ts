// `vipd decode` as a user runs it: node dist/cli/main.js (npm test builds first).
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keepalive, open, prefix, update, vipAttrs } from '../lab/raw-bgp.js';
import { ipv6, link, pcapFile, tcp, TCP_FLAGS } from '../lab/synthetic-capture.js';
import { FIXTURE_DIR, PUBLIC_DIR } from './captures-support.js';

const MAIN = resolve('dist/cli/main.js');

function vipd(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 30_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const BASE = ['ts', 'src', 'dst', 'type', 'length'];
const FIELDS: Record<string, string[]> = {
  OPEN: ['version', 'myAs', 'asn', 'holdTime', 'bgpId', 'capabilities'],
  UPDATE: ['withdrawn', 'nlri', 'nextHop', 'mpReach', 'mpUnreach', 'origin', 'asPath', 'med', 'localPref', 'communities', 'largeCommunities', 'endOfRib'],
  NOTIFICATION: ['code', 'subcode', 'name', 'data'],
  KEEPALIVE: [],
  'ROUTE-REFRESH': ['afi', 'safi', 'subtype'],
};

t.before(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
});

t.test('--json: one object per line with exactly the fields of its type', async (t) => {
  const files = ['bird-announce-withdraw.pcap', 'frr-malformed.pcap', 'bird-route-refresh.pcap', 'frr-prefix-limit.pcap'].map((f) => join(FIXTURE_DIR, f));
  const r = await vipd('decode', '--json', ...files);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(lines.length > 40, `${lines.length} messages`);
  const seen = new Set<string>();
  for (const o of lines) {
    const type = o.type as string;
    seen.add(type);
    const keys = Object.keys(o).filter((k) => k !== 'error' && k !== 'shutdownMessage');
    const failed = o.error !== undefined && !('withdrawn' in o) && !('version' in o) && !('code' in o) && !('afi' in o);
    const want = failed ? BASE : [...BASE, ...(FIELDS[type] ?? [])];
    if (JSON.stringify(keys) !== JSON.stringify(want)) t.fail(`${type} fields ${keys.join(',')}`);
    if (o.error) t.same(Object.keys(o.error as object), ['code', 'subcode', 'action', 'message'], `${type}: error fields`);
    if (typeof o.ts !== 'number' || !/^\d+\.\d+\.\d+\.\d+:\d+$/.test(o.src as string)) t.fail(`ts/src of ${JSON.stringify(o)}`);
  }
  t.same([...seen].sort(), ['KEEPALIVE', 'NOTIFICATION', 'OPEN', 'ROUTE-REFRESH', 'UPDATE'], 'every type seen');
  const eor = lines.filter((o) => o.endOfRib === true);
  t.ok(eor.length >= 2, 'End-of-RIB flagged (BIRD and ExaBGP send them)');
  const v4 = lines.find((o) => (o.nlri as string[] | undefined)?.includes('10.0.0.1/32'));
  t.match(v4, { nextHop: '192.0.2.10', origin: 'IGP', med: 100, asPath: [{ type: 'AS_SEQUENCE', asns: [64600] }], mpReach: null });
  const v6 = lines.find((o) => (o.mpReach as { nlri: string[] } | null)?.nlri?.includes('2620:0:860:1::10/128'));
  t.match(v6, { nextHop: null, mpReach: { afi: 2, safi: 1, nextHops: ['2001:db8::10'] } });
  const notif = lines.find((o) => o.type === 'NOTIFICATION' && o.code === 6);
  t.match(notif, { subcode: 1, name: /Maximum Number of Prefixes/, data: '0001010000000a' });
  const open = lines.find((o) => o.type === 'OPEN');
  t.match(open, { version: 4, holdTime: 30 });
  t.ok((open?.capabilities as { code: number; name: string }[]).every((c) => typeof c.code === 'number' && typeof c.name === 'string'));
  const bad = lines.find((o) => (o.error as { subcode?: number } | undefined)?.subcode === 10);
  t.match(bad, { type: 'UPDATE', error: { code: 3, action: 'session-reset', message: /prefix length 33/ } });
});

t.test('IPv6 endpoints are written in brackets; the effective AS comes from capability 65', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-decode-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const payload = [...open({ asn: 4200000000, holdTime: 90, bgpId: '192.0.2.7' }), ...keepalive(),
    ...update({ attrs: vipAttrs(4200000000, '192.0.2.10'), nlri: [prefix('10.2.1.1/32')] })];
  const frame = link.ethernet(ipv6('2001:db8::1', 'fd00:255::2', tcp({ sport: 51000, dport: 179, seq: 1, flags: TCP_FLAGS.ACK, payload })));
  const file = join(dir, 'v6.pcap');
  writeFileSync(file, pcapFile(1, [{ ts: 1700000000.5, data: frame }]));
  const r = await vipd('decode', '--json', file);
  t.equal(r.code, 0, r.stderr);
  const [o, k, u] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.match(o, { ts: 1700000000.5, src: '[2001:db8::1]:51000', dst: '[fd00:255::2]:179', type: 'OPEN', myAs: 23456, asn: 4200000000, holdTime: 90, bgpId: '192.0.2.7' });
  t.match(k, { type: 'KEEPALIVE', length: 19 });
  t.match(u, { type: 'UPDATE', nlri: ['10.2.1.1/32'], nextHop: '192.0.2.10', asPath: [{ type: 'AS_SEQUENCE', asns: [4200000000] }], med: 100 });
});

t.test('human-readable by default: one block per message', async (t) => {
  const r = await vipd('decode', join(FIXTURE_DIR, 'gobgp-prefix-limit.pcap'));
  t.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.trim().split('\n\n');
  t.match(blocks[0], /^#1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} \S+:\d+ > \S+:\d+ (OPEN|KEEPALIVE|UPDATE) \(\d+ bytes\)/);
  t.ok(blocks.some((b) => /UPDATE/.test(b) && /\n  nlri: 10\.0\.1\.1\/32\n  nextHop: 10\.255\.138\.149\n/.test(b) && /\n  med: 100/.test(b)), 'an UPDATE block with its NEXT_HOP');
  t.ok(blocks.some((b) => /NOTIFICATION/.test(b) && /name: Cease \/ Maximum Number of Prefixes Reached/.test(b)), 'the Cease block');
});

t.test('shutdown communication text (RFC 9003)', async (t) => {
  const file = join(PUBLIC_DIR, 'tcpdump_bgp-shutdown-communication.pcapng');
  if (!existsSync(file)) {
    t.comment('the public capture folder is absent');
    return;
  }
  const r = await vipd('decode', '--json', file);
  t.match(JSON.parse(r.stdout.trim()), { type: 'NOTIFICATION', code: 6, subcode: 2, shutdownMessage: 'This is a test of the shutdown communication system.' });
});

t.test('exit 2 with a reason when a file cannot be read; the readable ones are still decoded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-decode-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello, not a capture\n');
  const cut = join(dir, 'cut.pcap');
  const whole = pcapFile(1, [{ ts: 1, data: link.ethernet(ipv6('::1', '::1', tcp({ sport: 1, dport: 179, seq: 1 }))) }]);
  writeFileSync(cut, whole.subarray(0, whole.length - 5));
  const missing = join(dir, 'nope.pcap');
  const r = await vipd('decode', '--json', missing, text, cut, join(FIXTURE_DIR, 'bird-route-refresh.pcap'));
  t.equal(r.code, 2);
  t.match(r.stderr, `${missing}: cannot read: no such file`);
  t.match(r.stderr, `${text}: not a pcap or pcapng file: magic number 0x68656c6c`);
  t.match(r.stderr, new RegExp(`${cut}: pcap record 1: captured length \\d+ runs past the end of the file \\(at byte 24\\)`));
  t.ok(r.stdout.trim().split('\n').length > 5, 'the good file was still decoded');
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, pcapFile(1, []));
  const e = await vipd('decode', empty);
  t.equal(e.code, 0, 'an empty capture was read');
  t.match(e.stderr, `${empty}: no BGP messages in 0 frames (0 TCP segments)`);
  const none = await vipd('decode');
  t.equal(none.code, 2, 'no file given');
});
