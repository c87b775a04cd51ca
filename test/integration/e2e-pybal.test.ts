import t from 'tap';
import { join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { Backend, freePort, tempDir, Vipd, writeFile } from './e2e-helpers.js';

// Issue 7 §5: PyBal's own config keys and pool texts run unmodified — only PyBal's [global] keys
// (no bgp-peer-as, no bgp-local-address: PyBal has neither), its legacy pool lines and its JSON pool.
// The router sees our connection from 127.0.0.1, the kernel's source address on lo.
// The router's AS (64601) is nowhere in the config: the speaker learns it from the OPEN.

t.test('PyBal config and pool texts, unmodified', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'bird', routerIp: lo.router(0), speakerIp: '127.0.0.1', passive: true });
  t.teardown(() => router.stop());
  const port = await freePort(lo.speaker);
  const backends = [lo.router(10), lo.router(11)].map((ip) => new Backend(ip, [port]));
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  writeFile(join(dir, 'text-servers'), `{ 'host': '${backends[0]!.ip}', 'weight': 10, 'enabled': True }\n`);
  writeFile(join(dir, 'upload.json'), `{"${backends[1]!.ip}": { "enabled": true, "weight": 10 }}\n`);
  const apiPort = await freePort('127.0.0.1');
  const svc = (name: string, ip: string, pool: string) => `
[${name}]
protocol = tcp
ip = ${ip}
port = ${port}
scheduler = wrr
config = file://${dir}/${pool}
depool-threshold = .5
monitors = [ "ProxyFetch", "IdleConnection" ]
proxyfetch.url = [ 'http://en.wikipedia.org/wiki/Main_Page' ]
proxyfetch.interval = 1
idleconnection.timeout-clean-reconnect = 3
idleconnection.max-delay = 300
`;
  const cfg = join(dir, 'pybal.conf');
  writeFile(cfg, `[global]
bgp = yes
bgp-local-asn = 64600
bgp-peer-address = ${router.ip}
bgp-nexthop-ipv4 = 192.0.2.10
bgp-med = 0
instrumentation = yes
instrumentation_port = ${apiPort}
${svc('text', '10.2.0.1', 'text-servers')}${svc('upload', '10.2.0.2', 'upload.json')}`);
  const vipd = new Vipd(cfg, `127.0.0.1:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(20)); });
  await Promise.race([vipd.waitApi(15_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  await router.waitRib((r) => ['10.2.0.1/32', '10.2.0.2/32'].every((p) => r.some((x) => x.prefix === p)), 20_000);
  t.pass('both VIPs announced to the router');
  t.equal((await vipd.get('/pools', false)).body, 'text\nupload\n');
  const anyAs = vipd.lines.filter((l) => l.level === 'warn' && /no bgp-peer-as, so any AS/.test(l.msg));
  t.equal(anyAs.length, 1, 'one warning that any peer AS is accepted');
  const bgp = (await vipd.get('/bgp')).body as { peers: { peer: string; peerAs: number | null; state: string; side: string | null }[] };
  t.match(bgp.peers, [{ peer: router.ip, peerAs: router.options.routerAs, state: 'Established' }], 'the router\'s AS, learned from its OPEN');
  t.ok(bgp.peers[0]?.side === 'active' || bgp.peers[0]?.side === 'passive', `PyBal's side is known (${bgp.peers[0]?.side})`);
  const metrics = String((await vipd.get('/metrics', false)).body);
  t.match(metrics, /pybal_bgp_session_state_count\{[^}]*side="(active|passive)",state="ESTABLISHED"\} 1\.0$/m, "and labels the session state metric with PyBal's state spelling");
  t.match((await vipd.get('/bgp', false)).body, new RegExp(`^${router.ip.replace(/\./g, '\\.')} AS${router.options.routerAs}: Established`));
});
