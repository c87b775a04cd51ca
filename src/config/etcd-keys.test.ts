import t from 'tap';
import { join } from 'node:path';
import { parseConfig } from './schema.js';

/** Errors (or [] when it parsed) and, when it parsed, the config and warnings. */
function parseConfigText(text: string, file: string) {
  const r = parseConfig(text, file);
  return r.ok ? { errors: [], warnings: r.warnings, config: r.config } : { errors: r.errors, warnings: r.warnings, config: null };
}

const SVC = "protocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = etcd://conf1:2379,conf2:2379/conftool/v1/pools/eqiad/text/x/\nmonitors = [ 'IdleConnection' ]\n";

t.test('etcd-* keys: [global] defaults, a service overrides, insecure warned, files checked', async (t) => {
  const dir = t.testdir({ 'ca.pem': 'x', 'c.pem': 'x', 'k.pem': 'x' });
  const ca = join(dir, 'ca.pem');
  const ok = parseConfigText(`[global]\netcd-ca = ${ca}\n[web]\n${SVC}[api]\n${SVC.replace('10.2.0.1', '10.2.0.2')}etcd-insecure = yes\netcd-cert = ${join(dir, 'c.pem')}\netcd-key = ${join(dir, 'k.pem')}\n`, 'f.conf');
  t.same(ok.errors, []);
  t.same(ok.config!.services.map((s) => [s.etcdInsecure, s.etcdCa, s.etcdCert !== null, s.etcdKey !== null]), [[false, ca, false, false], [true, ca, true, true]]);
  t.same(ok.warnings.map((w) => `${w.line}: ${w.message}`), [
    "17: [api] etcd-insecure = yes: etcd server certificates are not verified (PyBal's behaviour); prefer etcd-ca",
  ]);
  const bad = parseConfigText(`[web]\n${SVC}etcd-cert = ${join(dir, 'c.pem')}\netcd-ca = ${join(dir, 'none.pem')}\n`, 'f.conf');
  t.same(bad.errors.map((e) => `${e.line}: ${e.message}`), [
    '8: [web] etcd-cert and etcd-key go together: set both or neither',
    `9: [web] etcd-ca: cannot read '${join(dir, 'none.pem')}': ENOENT`,
  ]);
});

t.test('pool schemes: etcd:// (v2, endpoint list, SRV), etcd3(s)://; etcds:// is refused with the way out', async (t) => {
  const pool = (url: string) => parseConfigText(`[web]\n${SVC.replace(/config = .*\n/, `config = ${url}\n`)}`, 'f.conf');
  for (const url of ['etcd://_etcd-client-ssl._tcp.eqiad.wmnet/conftool/v1/pools/x', 'etcd3://h:2379/p', 'etcd3s://h/p', 'etcd://[::1]:2379,h/p']) {
    t.same(pool(url).errors, [], url);
  }
  t.same(pool('etcds://h/p').errors.map((e) => e.message), ['[web] config: etcds:// is gone: use etcd:// for etcd v2 over TLS (PyBal, conftool), etcd3s:// for etcd v3 over TLS']);
  t.same(pool('etcd://h:1,h:x/p').errors.map((e) => e.message), ["[web] config: bad etcd endpoint 'h:x' (host, host:port or [v6]:port)"]);
  t.same(pool('etcd3://h:2379').errors.map((e) => e.message), ["[web] config: an etcd3 URL needs a host and a key prefix (etcd3s://host:2379/conftool/v1/pools/...), got 'etcd3://h:2379'"]);
});
