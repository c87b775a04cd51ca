import t from 'tap';
import { basicAuth } from './http-request.js';

t.test('URL userinfo becomes a basic auth header and leaves the URL', async (t) => {
  const r = basicAuth(new URL('http://vipd:p%40ss%3Aword@h:8080/pools/web?x=1'));
  t.equal(r.target.href, 'http://h:8080/pools/web?x=1');
  t.equal(r.authorization, `Basic ${Buffer.from('vipd:p@ss:word').toString('base64')}`);
  const none = basicAuth(new URL('http://h/pools/web'));
  t.equal(none.authorization, undefined);
  t.equal(none.target.href, 'http://h/pools/web');
  t.equal(basicAuth(new URL('http://tok@h/')).authorization, `Basic ${Buffer.from('tok:').toString('base64')}`);
});
