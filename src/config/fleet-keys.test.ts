import t from 'tap';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';
import { printConfig } from './print.js';

// Issue 17 §2: overrides-source, instance-name, instance-url.
const parse = (g: string) => {
  const r = parseConfig(`[global]\n${g}\n`, 'f.conf');
  return { r, errors: r.ok ? [] : r.errors.map(formatIssue) };
};

t.test('the keys parse; unset they are null; printed without the etcd password', async (t) => {
  const { r } = parse('overrides-source = etcd3://vipd:s3cret@127.0.0.1:2379/vipd/ams\ninstance-name = lvs1001.ams\ninstance-url = http://10.0.0.5:9090/');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.match(r.config.global, { overridesSource: 'etcd3://vipd:s3cret@127.0.0.1:2379/vipd/ams', instanceName: 'lvs1001.ams', instanceUrl: 'http://10.0.0.5:9090/' });
  const printed = printConfig(r.config);
  t.match(printed, 'overrides-source = etcd3://***@127.0.0.1:2379/vipd/ams');
  t.notMatch(printed, 's3cret');
  const none = parse('');
  t.match(none.r.ok && none.r.config.global, { overridesSource: null, instanceName: null, instanceUrl: null });
});

t.test('bad values are errors naming file:line and the key', async (t) => {
  t.match(parse('overrides-source = etcds://127.0.0.1:2379/vipd').errors, [/^f\.conf:2: .*overrides-source: etcds:\/\/ is not a scheme/]);
  t.match(parse('overrides-source = etcd://127.0.0.1:2379').errors, [/^f\.conf:2: .*overrides-source: an etcd URL needs a key directory/]);
  t.same(parse('overrides-source = etcd://127.0.0.1:2379,127.0.0.2:2379/vipd/ams').errors, [], 'etcd v2 (conftool\'s etcd) is accepted');
  t.match(parse('\noverrides-source = http://127.0.0.1:2379/vipd').errors, [/^f\.conf:3: .*overrides-source must be etcd:\/\/HOST:PORT\/PREFIX \(v2, TLS\), etcd3:\/\/HOST:PORT\/PREFIX/]);
  t.match(parse('overrides-source = etcd3://127.0.0.1:2379').errors, [/overrides-source must be/], 'a prefix is required');
  t.match(parse('instance-name = lvs 1').errors, [/^f\.conf:2: .*instance-name must be a host-name-like word/]);
  t.match(parse('instance-url = 10.0.0.5:9090').errors, [/^f\.conf:2: .*instance-url must be http:\/\/HOST:PORT\//]);
});
