import t from 'tap';
import { hostAllowed, hostOf } from './host-check.js';

t.test('Host header: own addresses, localhost and configured names only (DNS-rebinding guard)', async (t) => {
  const names = new Set(['lvs1001.eqiad.wmnet']);
  const addrs = () => new Set(['10.64.0.5', '2620:0:861::5', '0.0.0.0', '::']);
  const ok = (h: string | undefined) => hostAllowed(h, names, addrs);
  t.equal(hostOf('[::1]:9090'), '::1');
  t.equal(hostOf('Example.ORG.:80'), 'example.org');
  t.equal(hostOf('10.0.0.1'), '10.0.0.1');
  for (const h of ['127.0.0.1:9090', '127.3.4.5', '[::1]:9090', 'localhost:9090', 'LVS1001.eqiad.wmnet:9090', '10.64.0.5:9090', '[2620:0:861:0::5]:9090']) {
    t.ok(ok(h), `${h} accepted`);
  }
  for (const h of [undefined, '', 'attacker.example', 'lvs1001.eqiad.wmnet.attacker.example', '10.64.0.6:9090', '0x7f.1', '2130706433', '[::2]', '0.0.0.0:9090', '[::]:9090']) {
    t.notOk(ok(h), `${String(h)} refused`);
  }
});
