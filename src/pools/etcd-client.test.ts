import t from 'tap';
import { JsonSplitter, prefixEnd } from './etcd-client.js';

const STREAM = '{"result":{"header":{"revision":"5"},"created":true}}\n'
  + '{"result":{"events":[{"kv":{"key":"L2Ev","value":"eyJ4IjogIn0ifQ=="}}]}}\n'
  + '{"result":{"note":"a \\"quoted\\" { brace"}}';

t.test('the watch stream splits into whole JSON objects at any chunk boundary', async (t) => {
  const whole = new JsonSplitter().push(STREAM);
  t.equal(whole.length, 3);
  t.same(whole.map((s) => JSON.parse(s)), STREAM.split('\n').map((s) => JSON.parse(s)));
  for (let cut = 1; cut < STREAM.length; cut++) {
    const s = new JsonSplitter();
    const got = [...s.push(STREAM.slice(0, cut)), ...s.push(STREAM.slice(cut))];
    if (got.length !== 3 || got.join('\n') !== STREAM) { t.fail(`split at ${cut}: ${JSON.stringify(got)}`); return; }
  }
  const bytewise = new JsonSplitter();
  const got = [...STREAM].flatMap((c) => bytewise.push(c));
  t.equal(got.join('\n'), STREAM);
});

t.test('prefixEnd is the next key after every key with the prefix', async (t) => {
  const dec = (b: string) => Buffer.from(b, 'base64').toString('latin1');
  t.equal(dec(prefixEnd('/pools/web/')), '/pools/web0');
  t.equal(dec(prefixEnd('a')), 'b');
  t.same([...Buffer.from(prefixEnd('a\xff'), 'base64')], [0x61, 0xc3, 0xc0]);
  t.same([...Buffer.from(prefixEnd(''), 'base64')], [0]);
});

t.test('watch messages: events decoded, and every way a watch ends', async (t) => {
  const { handleMessage } = await import('./etcd-client.js');
  const seen: unknown[] = [];
  let created = 0;
  const h = { onEvents: (e: unknown, rev: number) => seen.push([e, rev]), onCreated: () => { created++; } };
  const b = (s: string) => Buffer.from(s).toString('base64');
  t.equal(handleMessage('{"result":{"header":{"revision":"7"},"created":true}}', h), null);
  t.equal(created, 1);
  t.equal(handleMessage(JSON.stringify({ result: { header: { revision: '9' }, events: [
    { kv: { key: b('/p/a'), value: b('{"pooled":"yes"}'), mod_revision: '8' } },
    { type: 'DELETE', kv: { key: b('/p/b'), mod_revision: '9' } },
  ] } }), h), null);
  t.same(seen, [[[{ type: 'put', kv: { key: '/p/a', value: '{"pooled":"yes"}', modRevision: 8 } }, { type: 'delete', key: '/p/b', modRevision: 9 }], 9]]);
  t.equal(handleMessage('{"result":{"header":{},"compact_revision":"42","canceled":true}}', h)?.message, 'etcd compacted revision 42; re-reading');
  t.equal(handleMessage('{"result":{"canceled":true,"cancel_reason":"permission denied"}}', h)?.message, 'etcd cancelled the watch: permission denied');
  t.equal(handleMessage('{"error":{"grpc_code":14,"message":"transport is closing"}}', h)?.message, 'etcd watch error: transport is closing');
  t.equal(handleMessage('{"result":', h)?.message, 'etcd sent a watch message that is not JSON');
});
