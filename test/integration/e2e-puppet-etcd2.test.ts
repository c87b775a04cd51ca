// Issue 12, "Done when": a pybal.conf rendered in the shape of today's puppet template, with
// conftool-shaped pools in etcd v2 over TLS, runs under `vipd run` unmodified (dry-run IPVS) against
// a real FRR and a real etcd 3.4 (--enable-v2): the IPVS table it builds is the one PyBal's would
// (IPIP with -i under mh, direct routing elsewhere, disabled and inactive hosts left out), the VIPs
// reach the router's RIB, and the rolling-restart cookbook's metrics check reads the session as up.
import t from 'tap';
import { join } from 'node:path';
import { findTool } from '../support/require-tool.js';
import { renderPybalConf, type PuppetService } from '../support/puppet-pybal.js';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { Backend, freePort, tempDir, Vipd, writeFile } from './e2e-helpers.js';
import { makeEtcd2Certs, startEtcd2 } from './pools-etcd2-server.js';
import { conftool } from './pools-etcd2-watch.js';

const COOKBOOK = /^pybal_bgp_session_established\{local_asn="(\d+)",peer="(.+?)"\} (.+)$/;
const PREFIX = '/conftool/v1/pools/eqiad';

/** The kernel table the logged `IPVS change` commands leave, as `-A`/`-a` lines (sorted). */
function tableFrom(commands: string[]): string[] {
  const services = new Map<string, string>();
  const servers = new Map<string, string>();
  for (const c of commands) {
    const w = c.split(' ');
    const svc = `${w[1]} ${w[2]}`;
    if (w[0] === '-A' || w[0] === '-E') services.set(svc, c.replace(/^-E/, '-A'));
    else if (w[0] === '-D') { services.delete(svc); for (const k of servers.keys()) if (k.startsWith(`${svc} `)) servers.delete(k); }
    else if (w[0] === '-a' || w[0] === '-e') servers.set(`${svc} ${w[4]}`, c.replace(/^-e/, '-a'));
    else if (w[0] === '-d') servers.delete(`${svc} ${w[4]}`);
  }
  return [...services.values(), ...servers.values()].sort();
}

t.test('puppet-shaped pybal.conf + conftool pools in etcd v2 over TLS: PyBal\'s IPVS table, VIPs at FRR, the cookbook check passes', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, 'etcd', 'openssl')) return;
  const dir = tempDir(t);
  const lo = loopbackBlock();
  const certs = await makeEtcd2Certs(dir);
  const etcd = await startEtcd2(findTool('etcd')!, dir, certs);
  t.teardown(() => etcd.stop());
  // vipd connects to the router from the kernel's source address for loopback, 127.0.0.1: the
  // template has no bgp-local-address, so the router is told to expect that address.
  const router = await startRouter({ kind: 'frr', routerIp: lo.router(0), speakerIp: '127.0.0.1', passive: true });
  t.teardown(() => router.stop());
  const port = await freePort(lo.speaker);
  const [b0, b1] = [new Backend(lo.router(10), [port]), new Backend(lo.router(11), [port])];
  for (const b of [b0, b1]) { await b.start(); t.teardown(() => b.kill()); }

  // conftool's keyspace: one key per host (here the address, as no resolver outside the test is
  // asked), {"pooled": yes|no|inactive, "weight": N}.
  await etcd.put(`${PREFIX}/cache_text/cdn/${b0.ip}`, conftool('yes', 10));
  await etcd.put(`${PREFIX}/cache_text/cdn/${b1.ip}`, conftool('yes', 10));
  await etcd.put(`${PREFIX}/cache_text/cdn/${lo.router(12)}`, conftool('no', 10));
  await etcd.put(`${PREFIX}/cache_text/cdn/${lo.router(13)}`, conftool('inactive', 10));
  await etcd.put(`${PREFIX}/ncredir/nginx/${b0.ip}`, conftool('yes', 5));

  const services: PuppetService[] = [
    {
      name: 'text', port, description: 'Main wiki platform LVS service, text', ip: { textlb: '10.2.1.1' },
      lvs: {
        class: 'high-traffic1', scheduler: 'mh', ipipEncapsulation: ['eqiad'], conftool: { cluster: 'cache_text', service: 'cdn' },
        depoolThreshold: 0.5,
        monitors: {
          ProxyFetch: { url: ['http://en.wikipedia.org/wiki/Special:BlankPage'] },
          IdleConnection: { 'timeout-clean-reconnect': 3, 'max-delay': 300 },
        },
      },
    },
    {
      name: 'ncredir', port, description: 'Non-canonical redirect service', ip: { default: '10.2.1.2' },
      lvs: { class: 'low-traffic', conftool: { cluster: 'ncredir', service: 'nginx' }, depoolThreshold: '.5', monitors: { IdleConnection: { 'timeout-clean-reconnect': 3, 'max-delay': 300 } } },
    },
  ];
  const conf = join(dir, 'pybal.conf');
  writeFile(conf, renderPybalConf({
    site: 'eqiad', config: 'etcd', configHost: etcd.hostPort, ipipEnabled: true, services,
    global: {
      bgp: 'yes', 'bgp-peer-address': `[ '${router.ip}' ]`, 'bgp-nexthop-ipv4': '10.255.0.1', 'bgp-nexthop-ipv6': '',
      instrumentation: 'yes', instrumentation_ips: `[ '${lo.speaker}' ]`, 'bgp-med': 0,
    },
  }));
  // The etcd CA is trusted as an operator would trust the site's: through the process environment.
  process.env.NODE_EXTRA_CA_CERTS = certs.ca;
  const vipd = new Vipd(conf, `${lo.speaker}:9090`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await Promise.race([vipd.waitApi(20_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(10)}`); })]);

  const commands = (): string[] => vipd.lines.filter((l) => l.msg === 'IPVS change').map((l) => String(l.command));
  const expected = [
    `-A -t 10.2.1.1:${port} -s mh`,
    `-A -t 10.2.1.2:${port} -s wrr`,
    `-a -t 10.2.1.1:${port} -r ${b0.ip}:${port} -i -w 10`,
    `-a -t 10.2.1.1:${port} -r ${b1.ip}:${port} -i -w 10`,
    `-a -t 10.2.1.2:${port} -r ${b0.ip}:${port} -g -w 5`,
  ].sort();
  const table = await waitFor('the IPVS table PyBal would build', 20_000, async () => {
    const now = tableFrom(commands());
    return now.length === expected.length ? now : undefined;
  }, 100);
  t.same(table, expected, 'IPIP (-i) under mh for text, -g for ncredir; the disabled and inactive hosts are not in IPVS');

  await router.waitRib((r) => ['10.2.1.1/32', '10.2.1.2/32'].every((p) => r.some((x) => x.prefix === p)), 30_000);
  t.pass('both VIPs in FRR\'s RIB');

  // The cookbook (sre/loadbalancer/restart-pybal.py) reads /metrics line by line.
  const metrics = String((await vipd.get('/metrics', false)).body);
  const sessions = metrics.split('\n').flatMap((l) => { const m = COOKBOOK.exec(l); return m ? [[m[1], m[2], m[3]]] : []; });
  t.same(sessions, [['64600', router.ip, '1.0']], 'one session, read as up');

  // conftool depools a host (pooled = no): only that realserver leaves IPVS; both VIPs stay.
  await etcd.put(`${PREFIX}/cache_text/cdn/${b1.ip}`, conftool('no', 10));
  const after = await waitFor('b1 out of text', 15_000, async () => {
    const now = tableFrom(commands());
    return now.some((c) => c.includes(`-t 10.2.1.1:${port} -r ${b1.ip}:`)) ? undefined : now;
  }, 100);
  t.same(after, expected.filter((c) => !c.includes(`10.2.1.1:${port} -r ${b1.ip}:`)), 'only the depooled host left');
  const rib = await router.rib();
  t.ok(['10.2.1.1/32', '10.2.1.2/32'].every((p) => rib.some((x) => x.prefix === p)), 'both VIPs still announced');
});
