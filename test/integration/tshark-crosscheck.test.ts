// `vipd decode --json` against tshark's own BGP dissector on every capture: message count and type, the announced
// and withdrawn prefixes, AS paths, MED and NOTIFICATION codes must agree message by message.
import t, { type Test } from 'tap';
import { basename } from 'node:path';
import { decodeFiles } from '../../src/cli/commands/decode.js';
import { needTools } from '../lab/need-tools.js';
import { parsePdml, tsharkPdml, type TsharkMessage } from '../lab/tshark-pdml.js';
import { findTool } from '../support/require-tool.js';
import { captureFiles, FIXTURE_DIR, PUBLIC_DIR, publicVendors } from './captures-support.js';

const TYPES: Record<string, number> = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, 'ROUTE-REFRESH': 5 };
const SEG: Record<string, string> = { AS_SET: 'SET', AS_SEQUENCE: 'SEQ', AS_CONFED_SEQUENCE: 'CONFED_SEQ', AS_CONFED_SET: 'CONFED_SET' };
/** Public files left out, and why. Fuzzer-derived ones (SOURCES.md) are left out too: tshark itself throws on them. */
const SKIP: Record<string, string> = {
  'tcpdump_bgp-addpath.pcap': 'two MP_REACH_NLRI in one UPDATE: a session reset for us (RFC 7606 §3(g)), tshark decodes on',
};

interface Decoded {
  type: string; src: string; dst: string; error?: unknown; nlri?: string[]; withdrawn?: string[];
  mpReach?: { safi: number; nlri: string[] } | null; mpUnreach?: { safi: number; withdrawn: string[] } | null;
  asPath?: { type: string; asns: number[] }[]; med?: number | null; code?: number; subcode?: number;
}

/** Exactly what `vipd decode --json FILE` prints (its CLI spawn is tested in captures-decode-cli.test.ts). */
async function vipdDecode(file: string): Promise<Decoded[]> {
  let out = '';
  let err = '';
  const status = await decodeFiles([file], true, (s) => { out += s; }, (s) => { err += s; });
  if (status !== 0) throw new Error(`vipd decode ${file}: ${err}`);
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Decoded);
}

function summary(d: Decoded): TsharkMessage {
  const unicast = (x: { safi: number } | null | undefined) => x && x.safi === 1;
  const segments = (d.asPath ?? []).map((s) => `${SEG[s.type] ?? s.type}:${s.asns.join(' ')}`);
  return {
    type: TYPES[d.type] ?? -1,
    announced: [...(d.nlri ?? []), ...(unicast(d.mpReach) ? d.mpReach!.nlri : [])],
    withdrawn: [...(d.withdrawn ?? []), ...(unicast(d.mpUnreach) ? d.mpUnreach!.withdrawn : [])],
    asPath: segments.length ? segments.join('|') : null,
    med: d.med ?? null,
    notification: d.type === 'NOTIFICATION' ? `${d.code}/${d.subcode}` : null,
  };
}

const ports = (msgs: Decoded[]) => [...new Set(msgs.flatMap((m) => [m.src, m.dst].map((e) => Number(e.slice(e.lastIndexOf(':') + 1)))))];

const canon = (m: TsharkMessage) => JSON.stringify([m.type, m.announced, m.withdrawn, m.asPath, m.med, m.notification]);

interface Pair { ours: Decoded[]; theirs: TsharkMessage[] }

async function decodeBoth(tshark: string, file: string): Promise<Pair> {
  const ours = await vipdDecode(file);
  return { ours, theirs: parsePdml(await tsharkPdml(tshark, file, ports(ours))) };
}

/** Well-formed captures: the same messages in the same order, field by field. */
function strict(t: Test, { ours, theirs }: Pair): void {
  t.equal(ours.length, theirs.length, `${ours.length} messages, as many as tshark`);
  let agree = 0;
  for (let i = 0; i < Math.min(ours.length, theirs.length); i++) {
    const mine = summary(ours[i]!);
    const ts = theirs[i]!;
    // tshark leaves AS_PATH out when AS4_PATH is present; we report the merged path (RFC 6793 §4.2.3).
    const want = { ...ts, asPath: ts.asPath === null && ts.type === 2 ? mine.asPath : ts.asPath };
    if (canon(mine) === canon(want)) agree++;
    else t.same(mine, want, `message ${i + 1} (${ours[i]!.type} ${ours[i]!.src} > ${ours[i]!.dst})`);
  }
  t.equal(agree, ours.length, `all ${agree} messages agree field by field`);
}

/**
 * Captures with deliberately malformed messages: tshark's partial decode of those is not comparable, so every
 * message we decode cleanly must have its twin in tshark's list, and every NOTIFICATION tshark sees must be ours.
 */
function lenient(t: Test, { ours, theirs }: Pair): void {
  const pool = theirs.map(canon);
  let found = 0;
  const clean = ours.filter((m) => !m.error);
  for (const m of clean) {
    const i = pool.indexOf(canon(summary(m)));
    if (i >= 0) { pool.splice(i, 1); found++; }
    else t.fail(`no tshark twin for ${m.type} ${m.src} > ${m.dst}: ${canon(summary(m))}`);
  }
  t.equal(found, clean.length, `all ${found} cleanly decoded messages found in tshark's decode`);
  const notes = (list: TsharkMessage[]) => list.filter((m) => m.type === 3).map((m) => m.notification);
  t.same(notes(ours.map(summary)), notes(theirs), 'NOTIFICATION codes');
}

t.test('vipd decode --json agrees with tshark', async (t) => {
  if (!needTools(t, 'tshark')) return;
  const tshark = findTool('tshark')!;
  const vendors = publicVendors();
  const ownFiles = captureFiles(FIXTURE_DIR);
  t.ok(ownFiles.length > 0, 'test/fixtures/pcaps is not empty');
  const publicFiles = captureFiles(PUBLIC_DIR).filter((f) => !/fuzzer-derived/.test(vendors.get(basename(f)) ?? '') && !SKIP[basename(f)]);
  const files = [...ownFiles, ...publicFiles];
  // tshark and node each take about a second to start: run four files at a time, then assert.
  const pairs: Pair[] = [];
  for (let i = 0; i < files.length; i += 4) pairs.push(...await Promise.all(files.slice(i, i + 4).map((f) => decodeBoth(tshark, f))));
  files.forEach((file, i) => {
    const pair = pairs[i]!;
    t.test(file.startsWith(FIXTURE_DIR) ? file.slice(FIXTURE_DIR.length + 1) : basename(file), async (t) => (pair.ours.some((m) => m.error) ? lenient(t, pair) : strict(t, pair)));
  });
});
