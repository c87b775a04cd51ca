// Every capture we ship and every public one decodes without a crash through our own pcap reader and the
// codec; every well-formed message re-encodes to its exact bytes; the malformed ones give typed errors.
import t, { type Test } from 'tap';
import { basename, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { encodeMessage, type DecodeError } from '../../src/bgp/index.js';
import { decodeCapture, type DecodedRecord } from '../../src/cli/decode/decode-capture.js';
import { readBgpCapture } from '../../src/pcap/index.js';
import { captureFiles, FIXTURE_DIR, PUBLIC_DIR, publicVendors } from './captures-support.js';

const ACTIONS = new Set(['session-reset', 'treat-as-withdraw', 'attribute-discard']);

/** The first error of a record: the failure, or the strongest RFC 7606 error an UPDATE carries. */
function errorOf(r: DecodedRecord): DecodeError | null {
  if (!r.result.ok) return r.result.error;
  return r.result.value.type === 'UPDATE' ? r.result.value.errors?.[0] ?? null : null;
}

function decodeFile(t: Test, file: string): DecodedRecord[] {
  const cap = readBgpCapture(readFileSync(file));
  t.ok(cap.ok, 'the capture is read');
  if (!cap.ok) return [];
  const records = decodeCapture(cap.value.messages);
  t.ok(records.length > 0, `${records.length} BGP messages found`);
  for (const r of records) {
    const e = errorOf(r);
    if (e && !(Number.isInteger(e.code) && e.code >= 1 && e.code <= 7 && ACTIONS.has(e.action) && e.message)) {
      t.fail(`frame ${r.captured.frame}: untyped error ${JSON.stringify(e)}`);
    }
  }
  let same = 0;
  let wellFormed = 0;
  for (const r of records) {
    if (!r.result.ok || errorOf(r) || r.captured.truncated) continue;
    wellFormed++;
    const again = encodeMessage(r.result.value, r.context);
    if (Buffer.from(again).equals(Buffer.from(r.captured.bytes))) same++;
    else t.fail(`frame ${r.captured.frame} ${r.result.value.type}: re-encoded bytes differ`, {
      found: Buffer.from(again).toString('hex'), wanted: Buffer.from(r.captured.bytes).toString('hex'),
    });
  }
  t.equal(same, wellFormed, `all ${wellFormed} well-formed messages re-encode to identical bytes`);
  return records;
}

t.test('our own captures', async (t) => {
  const files = captureFiles(FIXTURE_DIR);
  t.ok(files.length >= 12, `test/fixtures/pcaps holds the captures (found ${files.length})`);
  for (const file of files) {
    t.test(file.slice(FIXTURE_DIR.length + 1), async (t) => {
      const records = decodeFile(t, file);
      // Our own set (README.md) is whole and malformed only where its name says so; subfolders are other areas'.
      if (dirname(file) === FIXTURE_DIR) {
        t.notOk(records.some((r) => r.captured.truncated), 'no message cut short');
        if (!file.includes('malformed')) t.same(records.filter(errorOf).map((r) => r.captured.frame), [], 'no decode errors');
      }
    });
  }
});

t.test('public captures', async (t) => {
  const files = captureFiles(PUBLIC_DIR);
  if (files.length === 0) {
    t.comment(`${PUBLIC_DIR} is absent or empty: nothing to check`);
    return;
  }
  const vendors = publicVendors();
  for (const file of files) {
    t.test(basename(file), async (t) => {
      const records = decodeFile(t, file);
      const name = basename(file);
      if (/fuzzer-derived/.test(vendors.get(name) ?? '')) {
        t.ok(records.some(errorOf), 'a fuzzer-derived capture gives typed errors');
      } else if (name === 'tcpdump_bgp-addpath.pcap') {
        // Its one UPDATE carries two MP_REACH_NLRI attributes: RFC 7606 §3(g) makes that a session reset.
        t.match(errorOf(records[0]!), { code: 3, subcode: 1, action: 'session-reset' });
      } else {
        t.same(records.filter(errorOf).map((r) => r.captured.frame), [], 'no decode errors');
      }
    });
  }
});
