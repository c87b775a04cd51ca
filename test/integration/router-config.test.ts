// Issue 17 §4: `vipd router-config --vendor frr|bird` output loaded as it is into real FRR and BIRD
// (each in its own network namespace), vipd's session comes up with the policy applied: the
// config's VIP is accepted with the router's MED +10, a VIP the output does not list is dropped.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { needTools } from '../lab/need-tools.js';
import { createNetns } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { birdc } from '../lab/routers/bird.js';
import { freePort, legacyPool, tempDir, Vipd, writeFile } from './e2e-helpers.js';

const run = promisify(execFile);
const VIP = '10.2.1.1';
const STRAY = '10.3.9.9';

const service = (name: string, ip: string, pool: string) =>
  `[${name}]\nprotocol = tcp\nip = ${ip}\nport = 80\nscheduler = mh\nconfig = file://${pool}\n\n`;

for (const kind of ['frr', 'bird'] as const) {
  t.test(`${kind}: the generated configuration brings vipd's session up with the policy applied`, async (t) => {
    if (!needTools(t, ...ROUTER_BINARIES[kind], 'ip')) return;
    const ns = await createNetns();
    t.teardown(() => ns.destroy());
    const dir = tempDir(t);
    const pool = join(dir, 'web.pools');
    writeFile(pool, legacyPool([{ host: '10.2.2.10' }]));
    const apiPort = await freePort(ns.hostIp);
    const global = `[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = ${ns.nsIp}\nbgp-peer-as = 64601\n`
      + `bgp-local-address = ${ns.hostIp}\nbgp-hold-time = 90\nbgp-nexthop-ipv4 = ${ns.hostIp}\ninstrumentation = yes\n`
      + `instrumentation_port = ${apiPort}\ninstrumentation_ips = [ "${ns.hostIp}" ]\n\n`;
    // The routers are configured from the site's config; this vipd also announces a VIP it lacks.
    const site = join(dir, 'site.conf');
    writeFile(site, global + service('web', VIP, pool));
    const { stdout: generated } = await run(process.execPath, ['dist/cli/main.js', 'router-config', '-c', site, '--vendor', kind]);
    t.match(generated, kind === 'frr' ? /neighbor PYBAL timers 10 30/ : /hold time 30;/);
    const running = join(dir, 'vipd.conf');
    writeFile(running, global + service('web', VIP, pool) + service('stray', STRAY, pool));

    const router = await startRouter({
      kind, routerIp: ns.nsIp, speakerIp: ns.hostIp, netns: ns.name,
      config: (d) => (kind === 'frr'
        ? `frr defaults traditional\nhostname lab-frr\nlog file ${d}/bgpd.log informational\nbgp route-map delay-timer 0\n!\n`
        : `log "${d}/bird.log" all;\nrouter id ${ns.nsIp};\nprotocol device { scan time 10; }\n`) + generated,
    });
    t.teardown(() => router.stop());
    const vipd = new Vipd(running, `${ns.hostIp}:${apiPort}`);
    t.teardown(() => vipd.stop());
    t.teardown(() => { if (!t.passing()) t.comment(`${vipd.tail(40)}\n${router.log().slice(-3000)}`); });

    await vipd.waitLog((l) => l.msg.startsWith('VIP announced') && JSON.stringify(l).includes(STRAY), 20_000, 'the stray VIP announced');
    if (kind === 'frr') {
      await router.waitEstablished(20_000);
      const rib = await router.waitRib((r) => r.some((x) => x.prefix === `${VIP}/32`), 20_000);
      t.equal(rib.find((x) => x.prefix === `${VIP}/32`)?.med, 10, 'the VIP accepted, MED 0 + the import policy\'s 10');
      t.notOk(rib.some((x) => x.prefix === `${STRAY}/32`), 'the VIP outside the prefix list is dropped');
      const shown = await run('vtysh', ['--vty_socket', router.dir, '-d', 'bgpd', '-c', `show bgp neighbor ${ns.hostIp} json`]);
      const nb = JSON.parse(shown.stdout) as Record<string, { bgpTimerHoldTimeMsecs?: number }>;
      t.equal(nb[ns.hostIp]?.bgpTimerHoldTimeMsecs, 30_000, 'hold time 30 (the lower of the router\'s 30 and vipd\'s 90)');
    } else {
      const proto = `vipd_${ns.hostIp.replace(/\./g, '_')}`;
      await waitFor('BIRD session Established', 20_000, async () => /\bEstablished\b/.test(await birdc(router.options, 'show', 'protocols', proto)));
      const routes = await waitFor('BIRD route', 20_000, async () => {
        const out = await birdc(router.options, 'show', 'route', 'all', 'protocol', proto);
        return out.includes(`${VIP}/32`) ? out : undefined;
      });
      t.match(routes, /BGP\.med: 10\b/, 'the VIP accepted, MED 0 + the import filter\'s 10');
      t.notOk(routes.includes(STRAY), 'the VIP outside the prefix set is dropped');
      t.match(await birdc(router.options, 'show', 'protocols', 'all', proto), /Hold timer:|Receive limit:\s+10/);
    }
  });
}
