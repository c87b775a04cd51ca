import t from 'tap';
import { redactText, redactUrl } from './redact.js';

t.test('userinfo and query values are hidden; the rest is kept', async (t) => {
  t.equal(redactUrl('http://user:pass@10.255.0.1:8080/pools/web?token=abc&x=1#f'), 'http://***@10.255.0.1:8080/pools/web?token=***&x=***#f');
  t.equal(redactUrl('etcd://root:s3cret@[fd00:255::1]:2379/conftool/v1/pools/'), 'etcd://***@[fd00:255::1]:2379/conftool/v1/pools/');
  t.equal(redactUrl('https://127.0.0.1/health?flag'), 'https://127.0.0.1/health?flag');
  t.equal(redactUrl('file:///etc/pybal/pools/web'), 'file:///etc/pybal/pools/web');
  t.equal(redactUrl('not a url'), 'not a url');
});

t.test('URLs inside text are redacted', async (t) => {
  const s = redactText("GET http://a:b@127.0.0.1/x?k=v failed: 'http://c:d@127.0.0.2/' refused");
  t.notMatch(s, /a:b|k=v|c:d/);
  t.match(s, 'http://***@127.0.0.1/x?k=***');
  t.match(s, "'http://***@127.0.0.2/'");
});

t.test('a file:line position after a URL is not taken for part of it', async (t) => {
  t.equal(redactText('http://u:p@127.0.0.1/web?token=t:3: weight must be an integer'),
    'http://***@127.0.0.1/web?token=***:3: weight must be an integer');
  t.equal(redactText('etcd://[fd00:255::1]:2379/p?k=v'), 'etcd://[fd00:255::1]:2379/p?k=***');
});

t.test('punctuation that ends a phrase stays outside the URL', async (t) => {
  t.equal(redactText('http://u:p@h/p?token=t: 3 servers'), 'http://***@h/p?token=***: 3 servers');
  t.equal(redactText('http://***@h/p?token=***: 3 servers'), 'http://***@h/p?token=***: 3 servers');
  t.equal(redactText('from http://h/p?a=1, then (http://h/q?b=2).'), 'from http://h/p?a=***, then (http://h/q?b=***).');
});
