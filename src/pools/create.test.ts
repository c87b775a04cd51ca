import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { createPoolSource } from './create.js';
import { EtcdSource } from './etcd-source.js';
import { Etcd2Source } from './etcd2-source.js';
import { FileSource } from './file-source.js';
import { HttpSource } from './http-source.js';

t.test('the URL scheme picks the source', async (t) => {
  const clock = new FakeClock();
  t.ok(createPoolSource('file:///etc/pybal/pools/web', { clock }) instanceof FileSource);
  t.ok(createPoolSource('http://h/pools/web', { clock }) instanceof HttpSource);
  t.ok(createPoolSource('https://h/pools/web.json', { clock }) instanceof HttpSource);
  t.ok(createPoolSource('etcd://h:2379,h2/conftool/v1/pools', { clock }) instanceof Etcd2Source);
  t.ok(createPoolSource('etcd3://h:2379/conftool/v1/pools', { clock }) instanceof EtcdSource);
  t.ok(createPoolSource('etcd3s://h/conftool/v1/pools', { clock }) instanceof EtcdSource);
  t.throws(() => createPoolSource('etcds://h/conftool/v1/pools', { clock }), /unsupported pool URL scheme/);
  t.throws(() => createPoolSource('etcd://h/p', { clock, etcd: { caFile: '/nonexistent/ca.pem' } }), /etcd-ca: cannot read '\/nonexistent\/ca.pem': ENOENT/);
  t.throws(() => createPoolSource('k8s://token@h', { clock }), /k8s:\/\/\*\*\*@h: unsupported pool URL scheme/);
  t.equal(createPoolSource('file:///etc/pybal/pools/web', { clock }).url, 'file:///etc/pybal/pools/web');
  t.equal((createPoolSource('file:///etc/pybal/pools/web', { clock }) as FileSource).path, '/etc/pybal/pools/web');
});

t.test('an EtcdSource refuses other schemes and defaults to port 2379', async (t) => {
  const clock = new FakeClock();
  t.throws(() => new EtcdSource('http://h/x', { clock }), /http:\/\/h\/x: not an etcd3:\/\/ or etcd3s:\/\/ URL/);
});
