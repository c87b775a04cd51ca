import t from 'tap';
import { redactDeep } from './snapshot.js';

t.test('redactDeep hides URL userinfo and query values in every string, keys included', async (t) => {
  const secret = 'http://user:pass@127.0.0.1:8080/pool?token=s3cr3t';
  const v = redactDeep({ a: [`fetch ${secret} failed`, 3, null, { [secret]: true }], b: 'plain', c: false });
  const text = JSON.stringify(v);
  t.notMatch(text, /pass|s3cr3t/);
  t.same(v.a[0], 'fetch http://***@127.0.0.1:8080/pool?token=*** failed');
  t.same(v.b, 'plain');
  t.same(v.c, false);
});
