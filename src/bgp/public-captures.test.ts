// Every public capture (../shared/pcaps/public, described in its SOURCES.md) decodes; every
// well-formed message re-encodes to identical bytes; the deliberately malformed ones give typed errors.
import t, { type Test } from 'tap';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { captureStreams, mapLimit, type CapturedMessage } from '../../test/support/tshark-bgp.js';
import { requireTool } from '../../test/support/require-tool.js';
import { Framer, decodeMessage, encodeMessage, hex, negotiate, decodeShutdownCommunication } from './index.js';
import type { BgpMessage, CodecContext, DecodeError, OpenMessage } from './types.js';

const DIR = resolve('..', 'shared', 'pcaps', 'public');
/**
 * Deliberately malformed captures: the four SOURCES.md calls fuzzer-derived or crafted corner cases,
 * and tcpdump_bgp-addpath.pcap, whose UPDATE (built by hand for tcpdump's tests) carries
 * MP_REACH_NLRI twice, with Well-known flags: RFC 7606 §3(g) makes that a session reset.
 */
const MALFORMED = new Set([
  'tcpdump_bgp-as-path-oobr.pcap', 'tcpdump_bgp-bgp_capabilities_print-oobr-1.pcap', 'tcpdump_bgp-ub.pcap',
  'tcpdump_bgp-shutdown-msg-variations.pcap', 'tcpdump_bgp-addpath.pcap',
]);
/** tshark counts a second frame reusing the first one's sequence number as a retransmission; we decode both. */
const REUSED_SEQUENCE = new Set(['tcpdump_bgp-shutdown-communication.pcapng', 'tcpdump_bgp-shutdown-msg-variations.pcap']);

interface FileFacts { counts: Record<string, number>; as4: boolean | null; addPathOnly: boolean }

/** What SOURCES.md states of each file: tshark's message counts, the AS width, whether it needs ADD-PATH. */
function sourcesFacts(): Map<string, FileFacts> {
  const facts = new Map<string, FileFacts>();
  let current: FileFacts | null = null;
  for (const line of readFileSync(join(DIR, 'SOURCES.md'), 'utf8').split('\n')) {
    const head = /^## (\S+)$/.exec(line);
    if (head) facts.set(head[1]!, (current = { counts: {}, as4: null, addPathOnly: false }));
    if (!current) continue;
    const counts = /^- BGP messages \(tshark\): (.*)$/.exec(line);
    if (counts) for (const m of counts[1]!.matchAll(/(OPEN|UPDATE|KEEPALIVE|NOTIFICATION|ROUTE-REFRESH) (\d+)/g)) current.counts[m[1]!] = Number(m[2]);
    const width = /AS width: (as2|as4)/.exec(line);
    if (width) current.as4 = width[1] === 'as4';
    if (/Cannot be decoded without knowing ADD-PATH was negotiated/.test(line)) current.addPathOnly = true;
  }
  return facts;
}

/** The context each direction's receiver had: from the session's two OPENs, else from SOURCES.md. */
function contexts(messages: CapturedMessage[], facts: FileFacts | undefined): Map<string, CodecContext> {
  const opens = new Map<string, OpenMessage>();
  for (const m of messages) {
    const r = decodeMessage(m.bytes, { fourOctetAs: true, extendedMessage: true });
    if (r.ok && r.value.type === 'OPEN') opens.set(m.direction, r.value);
  }
  const fallback: CodecContext = { fourOctetAs: facts?.as4 ?? true, extendedMessage: true };
  if (facts?.addPathOnly) {
    fallback.addPathReceive = [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }];
    fallback.addPathSend = fallback.addPathReceive;
  }
  const out = new Map<string, CodecContext>();
  for (const dir of new Set(messages.map((m) => m.direction))) {
    const stream = dir.split('/')[0];
    const sender = opens.get(dir);
    const receiverDir = [...opens.keys()].find((d) => d !== dir && d.split('/')[0] === stream);
    const receiver = receiverDir ? opens.get(receiverDir) : undefined;
    if (sender && receiver) {
      const n = negotiate(receiver, sender);
      out.set(dir, { ...n, extendedMessage: true, addPathSend: n.addPathReceive ?? [] });
    } else {
      out.set(dir, fallback);
    }
  }
  return out;
}

t.test('public captures', async (t) => {
  if (!existsSync(DIR)) {
    t.comment(`no ${DIR}: nothing to check`);
    t.pass('public capture folder absent');
    return;
  }
  const tshark = requireTool(t, 'tshark', 'extracts BGP bytes from the captures');
  if (!tshark) return;
  const files = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).sort();
  t.ok(files.length > 0, 'the public capture folder holds captures');
  const facts = sourcesFacts();
  const streams = await mapLimit(files, 4, (f) => captureStreams(tshark, join(DIR, f)));
  files.forEach((file, i) => {
    const framed = frame(streams[i]!);
    const messages = framed.messages;
    t.ok(messages.length > 0, `${file}: BGP messages extracted`);
    const ctxs = contexts(messages, facts.get(file));
    const results = messages.map((m) => ({ m, ctx: ctxs.get(m.direction)!, r: decodeMessage(m.bytes, ctxs.get(m.direction)!) }));
    if (MALFORMED.has(file)) {
      checkMalformed(t, file, [...results.map((x) => x.r), ...framed.errors.map((error) => ({ ok: false as const, error }))]);
      return;
    }
    for (const e of framed.errors) t.fail(`${file}: framing error ${e.code}/${e.subcode}: ${e.message}`);
    const counts: Record<string, number> = {};
    let identical = 0;
    for (const { m, ctx, r } of results) {
      if (!r.ok) {
        t.fail(`${file}: ${m.direction}: ${hex(m.bytes).slice(0, 80)}… gives ${r.error.code}/${r.error.subcode} ${r.error.message}`);
        continue;
      }
      counts[r.value.type] = (counts[r.value.type] ?? 0) + 1;
      if (r.value.type === 'UPDATE' && r.value.errors) t.fail(`${file}: attribute errors: ${r.value.errors.map((e) => e.message).join('; ')}`);
      const again = hex(encodeMessage(r.value, ctx));
      if (again === hex(m.bytes)) identical++;
      else t.equal(again, hex(m.bytes), `${file}: ${r.value.type} re-encodes to identical bytes`);
    }
    t.equal(identical, messages.length, `${file}: all ${messages.length} messages decode and re-encode identically`);
    const expected = facts.get(file)?.counts;
    if (expected && !REUSED_SEQUENCE.has(file)) t.same(counts, expected, `${file}: message counts per type agree with tshark (SOURCES.md)`);
  });
});

/** Each direction's bytes through our Framer, as the speaker will see them. */
function frame(streams: CapturedMessage[]): { messages: CapturedMessage[]; errors: DecodeError[] } {
  const messages: CapturedMessage[] = [];
  const errors: DecodeError[] = [];
  for (const s of streams) {
    const out = new Framer({ fourOctetAs: true, extendedMessage: true }).push(s.bytes);
    for (const bytes of out.messages) messages.push({ direction: s.direction, bytes });
    if (out.error) errors.push(out.error);
  }
  return { messages, errors };
}

type Decoded = { ok: true; value: BgpMessage } | { ok: false; error: DecodeError };

function checkMalformed(t: Test, file: string, results: Decoded[]): void {
  const errors = results.flatMap((r) => (r.ok ? (r.value.type === 'UPDATE' ? r.value.errors ?? [] : []) : [r.error]));
  for (const e of errors) {
    t.ok(e.code >= 1 && e.code <= 7 && e.message.length > 0, `${file}: typed error ${e.code}/${e.subcode} (${e.action}): ${e.message}`);
  }
  const pairs = new Set(errors.map((e) => `${e.code}/${e.subcode}`));
  if (file === 'tcpdump_bgp-ub.pcap') t.ok(errors.some((e) => e.code === 1), `${file}: the invalid message after the UPDATEs gives a Message Header Error`);
  if (file === 'tcpdump_bgp-addpath.pcap') t.ok(pairs.has('3/1'), `${file}: MP_REACH_NLRI twice gives 3/1 Malformed Attribute List`);
  if (file === 'tcpdump_bgp-as-path-oobr.pcap') t.ok(pairs.has('3/1') && pairs.has('3/2'), `${file}: malformed attribute lists are typed UPDATE errors`);
  if (file === 'tcpdump_bgp-bgp_capabilities_print-oobr-1.pcap') t.ok([...pairs].some((p) => p.startsWith('2/')), `${file}: the broken OPEN gives an OPEN Message Error`);
  if (file === 'tcpdump_bgp-shutdown-msg-variations.pcap') {
    const notes = results.flatMap((r) => (r.ok && r.value.type === 'NOTIFICATION' ? [decodeShutdownCommunication(r.value)] : []));
    t.equal(notes.length, 3, `${file}: three NOTIFICATIONs decode`);
    t.ok(notes.some((n) => n !== null && !n.ok), `${file}: a bad shutdown communication length is reported, not thrown`);
  }
}
