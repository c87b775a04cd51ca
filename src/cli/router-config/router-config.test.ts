// Issue 17 §4: the Junos and Foundry outputs against golden files written from the seed's
// examples (group PyBal, multihop ttl 1, hold-time 30, prefix-limit ... teardown, import
// LVS_import with metric add 10; Foundry keep-alive 10 / hold-time 30, prefix-list LVS ... ge 32).
// FRR and BIRD are loaded into the real routers by test/integration/router-config.test.ts.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { loadConfig, type VipdConfig } from '../../config/index.js';
import { describeSite, prefixLimit, renderRouterConfig, SECRET, VENDORS, type Site, type SiteOptions } from './index.js';

const DIR = 'test/fixtures/router-config';
const BALANCERS = ['10.255.0.1', '10.255.0.4'];
const RANGES = ['208.80.152.0/22', '10.0.0.0/8', '2620:0:860::/46'];

async function site(o: Partial<SiteOptions> = {}, file = `${DIR}/site.conf`): Promise<{ config: VipdConfig; site: Site }> {
  const r = await loadConfig(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const d = describeSite(r.config, { balancers: BALANCERS, prefixes: [], hold: 30, ...o });
  if ('errors' in d) throw new Error(d.errors.join('\n'));
  return { config: r.config, site: d.site };
}

for (const vendor of ['junos', 'foundry'] as const) {
  t.test(`${vendor}: golden files (exact VIPs, and the seed's covering ranges)`, async (t) => {
    t.equal(renderRouterConfig(vendor, (await site()).site), readFileSync(`${DIR}/site.${vendor}.txt`, 'utf8'));
    t.equal(renderRouterConfig(vendor, (await site({ prefixes: RANGES })).site), readFileSync(`${DIR}/site-ranges.${vendor}.txt`, 'utf8'));
  });
}

t.test('the seed\'s settings are in each dialect', async (t) => {
  const { site: s } = await site({ prefixes: RANGES });
  const junos = renderRouterConfig('junos', s);
  for (const x of ['group PyBal {', 'multihop {\n                ttl 1;', 'hold-time 30;', 'import LVS_import;', 'metric add 10;', 'maximum 10;\n                        teardown;', 'peer-as 64600;'])
    t.ok(junos.includes(x), `junos: ${x}`);
  const foundry = renderRouterConfig('foundry', s);
  for (const x of ['timers keep-alive 10 hold-time 30', 'ip prefix-list LVS seq 5 permit 208.80.152.0/22 ge 32', 'prefix-list LVS in', 'maximum-prefix 10 teardown'])
    t.ok(foundry.includes(x), `foundry: ${x}`);
});

t.test('the MD5 key is never printed: a placeholder and where the key is set; BFD only where configured', async (t) => {
  const { site: s } = await site();
  for (const vendor of VENDORS) {
    const out = renderRouterConfig(vendor, s);
    t.notOk(out.includes('not-a-real-key-1234'), `${vendor}: no secret`);
    t.equal(out.split(SECRET).length - 1, 2, `${vendor}: the placeholder once (plus its note) for the one router with MD5`);
    t.match(out, /site\.conf:12/, `${vendor}: names the config line`);
  }
  t.match(renderRouterConfig('frr', s), /neighbor PYBAL bfd 3 300 300/);
  t.equal(renderRouterConfig('frr', s).split(' bfd ').length - 1, 1, 'BFD for the first router only');
});

t.test('BIRD with BFD and vipd\'s graceful restart: `bfd graceful`, so an AdminDown keeps the routes (docs/bfd.md)', async (t) => {
  const { site: s } = await site();
  t.match(renderRouterConfig('bird', s), /^  bfd on;/m, 'without graceful restart: bfd on');
  const gr = renderRouterConfig('bird', { ...s, routers: s.routers.map((r) => ({ ...r, gracefulRestart: true })) });
  t.match(gr, /^  bfd graceful;/m);
  t.notMatch(gr, /bfd on;/);
});

t.test('prefix limit: the VIP count with headroom, per family', async (t) => {
  t.equal(prefixLimit(0), 10);
  t.equal(prefixLimit(3), 10);
  t.equal(prefixLimit(40), 80);
  const { site: s } = await site();
  t.same([s.limitV4, s.limitV6, s.vipCount], [10, 10, { v4: 2, v6: 1 }], 'a VIP shared by two services counts once');
});

t.test('errors name where: a VIP outside --prefix, a bad network, no peer AS, no balancers', async (t) => {
  const r = await loadConfig(`${DIR}/site.conf`);
  if (!r.ok) throw new Error('fixture');
  const d = describeSite(r.config, { balancers: ['nope'], prefixes: ['10.0.0.0/8', '10.0.0.1/8', 'x'], hold: 30 });
  t.ok('errors' in d);
  const errors = 'errors' in d ? d.errors.join('\n') : '';
  t.match(errors, /--balancer nope: not an IP address/);
  t.match(errors, /--prefix 10\.0\.0\.1\/8: host bits set/);
  t.match(errors, /--prefix x: not a network/);
  const noAs = { ...r.config, global: { ...r.config.global, bgpPeers: r.config.global.bgpPeers.map((p) => ({ ...p, peerAs: null })) } };
  const e2 = describeSite(noAs, { balancers: [], prefixes: [], hold: 30 });
  t.match('errors' in e2 ? e2.errors.join('\n') : '', /site\.conf:\d+: peer 10\.255\.0\.2 has no bgp-peer-as/);
  const outside = describeSite(r.config, { balancers: [], prefixes: ['10.0.0.0/8', '2620:0:860::/46'], hold: 30 });
  t.match('errors' in outside ? outside.errors.join('\n') : '', /site\.conf:\d+ \[upload_443\]: VIP 208\.80\.154\.240 is outside every --prefix/);
});

t.test('without --balancer: this config\'s own local address', async (t) => {
  const { site: s } = await site({ balancers: [] });
  t.same(s.balancers, ['10.255.0.1']);
});
