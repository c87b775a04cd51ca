// The crasher corpus (test/fixtures/crashers/*.json): malformed messages, each with the
// NOTIFICATION code/subcode, RFC 7606 action and (where the RFC fixes it) data it must give.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Framer, decodeMessage, hex } from './index.js';
import type { CodecContext, DecodeError } from './types.js';

const DIR = resolve('test/fixtures/crashers');

interface Crasher {
  description: string;
  rule: string;
  context: CodecContext;
  fields: [string, string][];
  expect: { code: number; subcode: number; action: DecodeError['action']; data?: string };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
t.ok(files.length >= 30, `crashers present in ${DIR} (${files.length})`);

function matches(e: DecodeError, want: Crasher['expect']): boolean {
  return e.code === want.code && e.subcode === want.subcode && e.action === want.action && (want.data === undefined || hex(e.data) === want.data);
}

for (const file of files) {
  const c = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Crasher;
  t.test(`${file}: ${c.description} (${c.rule})`, async (t) => {
    const bytes = new Uint8Array(Buffer.from(c.fields.map(([h]) => h).join(''), 'hex'));
    const want = c.expect;
    const r = decodeMessage(bytes, c.context);
    if (want.action === 'session-reset') {
      t.equal(r.ok, false, 'the message is rejected');
      if (!r.ok) {
        t.ok(matches(r.error, want), `error ${r.error.code}/${r.error.subcode} ${r.error.action} data ${hex(r.error.data)} (${r.error.message})`);
        t.ok(r.error.message.length > 10, 'the error says what is wrong');
      }
    } else {
      t.ok(r.ok && r.value.type === 'UPDATE', 'the UPDATE is still delivered (RFC 7606 §2)');
      if (r.ok && r.value.type === 'UPDATE') {
        const errors = r.value.errors ?? [];
        t.ok(errors.some((e) => matches(e, want)), `errors: ${errors.map((e) => `${e.code}/${e.subcode} ${e.action} ${hex(e.data)}: ${e.message}`).join('; ')}`);
        t.equal(r.value.treatAsWithdraw === true, want.action === 'treat-as-withdraw', 'treatAsWithdraw follows the strongest action');
      }
    }
    if (want.code === 1 && !file.startsWith('route-refresh')) {
      const out = new Framer(c.context).push(bytes);
      t.ok(out.error && matches(out.error, want), 'the framer reports the same header error');
      t.equal(out.messages.length, 0, 'and frames no message');
    }
    for (let cut = 0; cut < bytes.length; cut++) {
      const partial = decodeMessage(bytes.subarray(0, cut), c.context);
      if (partial.ok && partial.value.type !== 'UPDATE') t.fail(`truncated at ${cut} decoded as ${partial.value.type}`);
    }
  });
}
