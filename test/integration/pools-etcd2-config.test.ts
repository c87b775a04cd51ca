import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planFromConfig } from '../../src/cli/ipvs-plan.js';
import { findTool } from '../support/require-tool.js';
import { needTools } from '../lab/need-tools.js';
import { makeEtcd2Certs, startEtcd2 } from './pools-etcd2-server.js';
import { conftool } from './pools-etcd2-watch.js';

// Issue 12 §2: a pybal.conf `config = etcd://...` (PyBal's spelling) read by vipd over TLS, the
// CA trusted through NODE_EXTRA_CA_CERTS only (no etcd-ca), as `vipd ipvs plan --all-up` does.

const DIR = '/conftool/v1/pools/eqiad/text/varnish-fe';
const ADDRESSES: Record<string, string> = { 'cp1.eqiad.wmnet': '10.64.0.1', 'cp2.eqiad.wmnet': '10.64.0.2', 'cp3.eqiad.wmnet': '10.64.0.3' };

t.test('pybal.conf with conftool pools in etcd v2, the CA from NODE_EXTRA_CA_CERTS', async (t) => {
  if (!needTools(t, 'etcd', 'openssl')) return;
  const dir = t.testdir();
  const certs = await makeEtcd2Certs(dir);
  const etcd = await startEtcd2(findTool('etcd')!, dir, certs);
  t.teardown(() => etcd.stop());
  await etcd.put(`${DIR}/cp1.eqiad.wmnet`, conftool('yes', 10));
  await etcd.put(`${DIR}/cp2.eqiad.wmnet`, conftool('no', 10));
  await etcd.put(`${DIR}/cp3.eqiad.wmnet`, conftool('yes', 5));
  // Read by the trust store on first use: this process has made no TLS connection before.
  process.env.NODE_EXTRA_CA_CERTS = certs.ca;
  const conf = join(dir, 'pybal.conf');
  writeFileSync(conf, [
    '[global]', 'bgp = no', '',
    '[text_80]', 'protocol = tcp', 'ip = 10.2.2.25', 'port = 80', 'scheduler = wrr',
    `config = etcd://${etcd.hostPort}${DIR}/`, "monitors = [ 'IdleConnection' ]", '',
  ].join('\n'));
  const started = Date.now();
  const out = await planFromConfig(conf, { allUp: true, current: async () => [], resolve: async (h) => ADDRESSES[h] ?? null });
  // The source is stopped as soon as its list is in: stop() must end the watch at once. A stop that
  // came while the directory was read used to leave the long poll open until its 60 s renewal.
  const took = Date.now() - started;
  t.ok(took < 20_000, `the plan returned ${took} ms after it began (the watch renews at 60 s)`);
  t.equal(out.batch, [
    '-A -t 10.2.2.25:80 -s wrr',
    '-a -t 10.2.2.25:80 -r 10.64.0.1:80 -g -w 10',
    '-a -t 10.2.2.25:80 -r 10.64.0.3:80 -g -w 5',
    '',
  ].join('\n'));
});
