import t from 'tap';
import { parseRegistration, registrationContent } from './registration.js';

const good = { name: 'lvs1', address: '10.0.0.5', url: 'http://10.0.0.5:9090/', vips: ['10.2.1.1/32'], peers: ['10.0.0.254'], updated: '2026-12-06T10:00:00Z' };

t.test('a registration parses; each bad field is named with the key', async (t) => {
  t.same(parseRegistration('/k', JSON.stringify(good)), good);
  t.same(parseRegistration('/k', '{'), { error: 'etcd key /k: value is not JSON' });
  t.same(parseRegistration('/k', 'null'), { error: 'etcd key /k: value must be an object' });
  t.same(parseRegistration('/k', JSON.stringify({ ...good, url: 7 })), { error: 'etcd key /k: url must be a string' });
  t.same(parseRegistration('/k', JSON.stringify({ ...good, url: 'ftp://x/' })), { error: 'etcd key /k: url must be http(s)://, got "ftp://x/"' });
  t.same(parseRegistration('/k', JSON.stringify({ ...good, vips: [1] })), { error: 'etcd key /k: vips and peers must be lists of strings' });
});

t.test('content: the time stamp and list order do not count as a change', async (t) => {
  t.equal(registrationContent(good), registrationContent({ ...good, peers: [...good.peers], vips: ['10.2.1.1/32'] }));
  t.equal(registrationContent({ ...good, vips: ['b', 'a'] }), registrationContent({ ...good, vips: ['a', 'b'] }));
  t.not(registrationContent(good), registrationContent({ ...good, peers: [] }), 'a peer going down is a change');
});
