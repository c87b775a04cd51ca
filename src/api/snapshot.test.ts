import t from 'tap';
import { redactInPlace } from './snapshot.js';

t.test('redactInPlace hides URL userinfo and query values in every string, keys included', async (t) => {
  const secret = 'http://user:pass@127.0.0.1:8080/pool?token=s3cr3t';
  const v = redactInPlace({ a: [`fetch ${secret} failed`, 3, null, { [secret]: true }], b: 'plain', c: false });
  const text = JSON.stringify(v);
  t.notMatch(text, /pass|s3cr3t/);
  t.same(v.a[0], 'fetch http://***@127.0.0.1:8080/pool?token=*** failed');
  t.same(v.b, 'plain');
  t.same(v.c, false);
});

t.test('redactInPlace: nested arrays and objects, typed arrays untouched, the same text redacted alike every time', async (t) => {
  const reason = 'http://u:p@127.0.0.1/health?key=k: HTTP 503';
  const numbers = new Float64Array([1, 2]);
  const msg = { pools: [{ servers: [{ reason }, { reason }], hosts: ['a', reason] }], numbers, deep: [[reason]] };
  const same = redactInPlace(msg);
  t.equal(same, msg, 'the message itself, changed in place');
  const hidden = 'http://***@127.0.0.1/health?key=***: HTTP 503';
  t.same(msg.pools[0]!.servers.map((s) => s.reason), [hidden, hidden]);
  t.same(msg.pools[0]!.hosts, ['a', hidden]);
  t.same(msg.deep, [[hidden]]);
  t.equal(msg.numbers, numbers);
  t.same([...numbers], [1, 2]);
  for (let i = 0; i < 5000; i++) redactInPlace({ r: `http://x:y@h${i}/` }); // more distinct texts than are kept
  t.same(redactInPlace([reason]), [hidden], 'still redacted once the kept texts were dropped');
});
