// What each router put on the wire in our captures (test/fixtures/pcaps/README.md), read back through
// src/pcap and the codec: the malformed probes' typed errors and each router's NOTIFICATION, the prefix
// limit teardown, ROUTE-REFRESH, and the announced / withdrawn prefixes with their MED.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BgpMessage, DecodeError } from '../../src/bgp/index.js';
import { decodeCapture, type DecodedRecord } from '../../src/cli/decode/decode-capture.js';
import { readBgpCapture } from '../../src/pcap/index.js';
import { FIXTURE_DIR } from './captures-support.js';

type Kind = 'frr' | 'bird' | 'gobgp';
const KINDS: Kind[] = ['frr', 'bird', 'gobgp'];

function records(name: string): DecodedRecord[] {
  const cap = readBgpCapture(readFileSync(join(FIXTURE_DIR, name)));
  if (!cap.ok) throw cap.error;
  return decodeCapture(cap.value.messages);
}

const fromRouter = (r: DecodedRecord) => r.captured.src.port === 179;
const msg = (r: DecodedRecord): BgpMessage | null => (r.result.ok ? r.result.value : null);
const err = (r: DecodedRecord): DecodeError | null =>
  !r.result.ok ? r.result.error : r.result.value.type === 'UPDATE' ? r.result.value.errors?.[0] ?? null : null;
const code = (e: { code: number; subcode: number } | null | undefined) => (e ? `${e.code}/${e.subcode}` : null);
const notification = (r: DecodedRecord) => { const m = msg(r); return m?.type === 'NOTIFICATION' ? m : null; };

// probe, our decoder's error on what we sent, then FRR's, BIRD's and GoBGP's NOTIFICATION (null = none)
const PROBES: [string, string | null, Record<Kind, string | null>][] = [
  ['open-hold-1', null, { frr: '2/6', bird: '2/6', gobgp: '2/6' }],
  ['open-bad-peer-as', null, { frr: '2/2', bird: '2/2', gobgp: '2/2' }],
  ['bad-marker', '1/1', { frr: '1/1', bird: '1/1', gobgp: null }],
  ['bad-length', '1/2', { frr: '1/2', bird: '1/2', gobgp: '1/2' }],
  ['update-total-attr-len', '3/1', { frr: '3/1', bird: '3/1', gobgp: '3/1' }],
  ['update-nlri-33', '3/10', { frr: '3/10', bird: '3/10', gobgp: '3/1' }],
  ['update-origin-invalid', '3/6', { frr: '3/10', bird: null, gobgp: null }],
  ['update-unknown-well-known', '3/2', { frr: '3/1', bird: null, gobgp: '3/2' }],
];

for (const kind of KINDS) {
  t.test(`${kind}-malformed.pcap: our probes' typed errors and the router's answers`, async (t) => {
    const byConn = new Map<number, DecodedRecord[]>();
    for (const r of records(`${kind}-malformed.pcap`)) byConn.set(r.captured.connection, [...(byConn.get(r.captured.connection) ?? []), r]);
    const sessions = [...byConn.values()];
    t.equal(sessions.length, PROBES.length, 'one TCP session per probe');
    PROBES.forEach(([probe, ours, answers], i) => {
      const s = sessions[i] ?? [];
      const sent = s.filter((r) => !fromRouter(r)).at(-1);
      t.equal(code(sent && err(sent)), ours, `${probe}: our decoder on the probe`);
      if (ours === '3/6') t.equal(sent && err(sent)?.action, 'treat-as-withdraw', `${probe}: RFC 7606 treat-as-withdraw`);
      const answer = s.filter(fromRouter).map(notification).find((n) => n) ?? null;
      t.equal(code(answer), answers[kind], `${probe}: ${kind}'s NOTIFICATION`);
    });
  });

  t.test(`${kind}-prefix-limit.pcap: Cease / Maximum Number of Prefixes Reached`, async (t) => {
    const recs = records(`${kind}-prefix-limit.pcap`);
    const cease = recs.findIndex((r) => fromRouter(r) && code(notification(r)) === '6/1');
    t.ok(cease > 0, 'the router sent 6/1');
    const before = recs.slice(0, cease).filter((r) => !fromRouter(r)).flatMap((r) => { const m = msg(r); return m?.type === 'UPDATE' ? m.nlri : []; });
    t.equal(before.length, kind === 'frr' ? 12 : 11, 'prefixes sent before the teardown (FRR lets max+1 in)');
    const data = Buffer.from(notification(recs[cease]!)!.data).toString('hex');
    t.equal(data, kind === 'frr' ? '0001010000000a' : '', 'RFC 4486 data: AFI, SAFI, limit (FRR only)');
  });

  t.test(`${kind}-route-refresh.pcap: ROUTE-REFRESH both ways`, async (t) => {
    const recs = records(`${kind}-route-refresh.pcap`);
    const rr = (fromR: boolean) => recs.filter((r) => fromRouter(r) === fromR).map(msg).filter((m) => m?.type === 'ROUTE-REFRESH');
    t.same(rr(false), [{ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 }], 'ours');
    t.equal(rr(true).length, kind === 'gobgp' ? 0 : 1, kind === 'gobgp' ? 'GoBGP re-applies policy instead' : 'the router asked for a refresh');
  });

  t.test(`${kind}-announce-withdraw.pcap: prefixes, MED, community, withdrawals`, async (t) => {
    const updates = records(`${kind}-announce-withdraw.pcap`).filter((r) => !fromRouter(r)).map(msg)
      .flatMap((m) => (m?.type === 'UPDATE' ? [m] : []));
    const announced = updates.flatMap((u) => [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])]);
    t.same(announced.sort(), ['10.0.0.1/32', '10.9.9.0/24', '208.80.153.10/32', '2620:0:860:1::10/128']);
    t.ok(updates.filter((u) => u.nlri.length || u.attributes.mpReach).every((u) => u.attributes.med === 100 && u.attributes.asPath?.[0]?.asns[0] === 64600), 'MED 100, AS path 64600');
    t.ok(updates.some((u) => u.nlri.includes('208.80.153.10/32') && u.attributes.communities?.includes((64600 << 16 | 100) >>> 0)), 'community 64600:100');
    const withdrawn = updates.flatMap((u) => [...u.withdrawn, ...(u.attributes.mpUnreach?.withdrawn ?? [])]);
    t.same(withdrawn.sort(), ['208.80.153.10/32', '2620:0:860:1::10/128']);
  });
}
