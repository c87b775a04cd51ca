import t from 'tap';
import { parseEtcdV2Url } from './etcd-url.js';

t.test('one host, default port, trailing slash dropped', async (t) => {
  t.same(parseEtcdV2Url('etcd://conf1001.eqiad.wmnet/conftool/v1/pools/eqiad/text/varnish/'), {
    endpoints: [{ host: 'conf1001.eqiad.wmnet', port: 2379 }], srv: null, dir: '/conftool/v1/pools/eqiad/text/varnish',
  });
});

t.test('several endpoints, IPv6, credentials', async (t) => {
  const r = parseEtcdV2Url('etcd://u%40x:p%3Aw@a:4001, [::1]:2379,127.0.0.1/p');
  t.same(r.endpoints, [{ host: 'a', port: 4001 }, { host: '::1', port: 2379 }, { host: '127.0.0.1', port: 2379 }]);
  t.same(r.credentials, { user: 'u@x', password: 'p:w' });
});

t.test('SRV names', async (t) => {
  t.same(parseEtcdV2Url('etcd://_etcd-client-ssl._tcp.eqiad.wmnet/conftool/x'), {
    endpoints: [], srv: '_etcd-client-ssl._tcp.eqiad.wmnet', dir: '/conftool/x',
  });
  t.throws(() => parseEtcdV2Url('etcd://_etcd-client-ssl._tcp.x:2379/p'), /SRV name/);
  t.throws(() => parseEtcdV2Url('etcd://_etcd-client-ssl._tcp.x,h/p'), /SRV name/);
});

t.test('refused', async (t) => {
  t.throws(() => parseEtcdV2Url('etcd://h:2379/'), /key directory/);
  t.throws(() => parseEtcdV2Url('etcd:///p'), /needs a host/);
  t.throws(() => parseEtcdV2Url('etcd://u@h/p'), /both a user and a password/);
  t.throws(() => parseEtcdV2Url('etcd://h:99999/p'), /port/);
  t.throws(() => parseEtcdV2Url('etcd://h,/p'), /bad etcd endpoint ''/);
  t.throws(() => parseEtcdV2Url('etcd://h/p?x=1'), /no query/);
});
