// The multi-balancer lab's router config builders: the policy, ECMP and iBGP lines, and BIRD's own
// parser accepts the text (`bird -p`, when installed).
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../proc.js';
import { findTool } from '../../support/require-tool.js';
import { fleetBirdConfig } from './fleet-bird-config.js';
import { fleetFrrConfig } from './fleet-frr-config.js';
import type { FleetRouterSpec } from './fleet-router-spec.js';

const spec: FleetRouterSpec = {
  ip: '10.255.9.2', as: 64601, balancers: ['10.255.9.11', '10.255.9.12', '10.255.9.13'], balancerAs: 64600,
  ibgpPeer: '10.255.9.1', holdTime: 30, maxPaths: 8, maxPrefixes: 10, bfd: { intervalMs: 100, multiplier: 3 }, dir: '/tmp/x',
};

t.test('FRR: one eBGP neighbor per balancer with the policy, iBGP to the other router, maximum-paths', async (t) => {
  const c = fleetFrrConfig(spec);
  for (const b of spec.balancers) {
    t.match(c, new RegExp(`neighbor ${b} remote-as 64600\\n`));
    t.match(c, new RegExp(`neighbor ${b} route-map LVS_import in\\n`));
    t.match(c, new RegExp(`neighbor ${b} bfd profile vipd\\n`));
  }
  t.match(c, /neighbor 10\.255\.9\.1 remote-as 64601\n/);
  t.match(c, /maximum-paths 8\n/);
  t.match(c, / set metric \+10\n/);
  t.notMatch(fleetFrrConfig({ ...spec, bfd: null, ibgpPeer: null }), /bfd|64601\n.*remote-as 64601/);
});

t.test('BIRD: a protocol per balancer, iBGP, kernel ECMP; bird -p accepts it', async (t) => {
  const c = fleetBirdConfig(spec);
  t.match(c, /protocol bgp bal1 from balancer \{ neighbor 10\.255\.9\.11 as 64600; \}/);
  t.match(c, /protocol bgp bal3 from balancer/);
  t.match(c, /merge paths on limit 8/);
  t.match(c, /neighbor 10\.255\.9\.1 as 64601;/);
  if (!findTool('bird')) { t.comment('bird not installed: parse check skipped'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'vipd-fleet-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const s of [spec, { ...spec, bfd: null, ibgpPeer: null }]) {
    writeFileSync(join(dir, 'bird.conf'), fleetBirdConfig({ ...s, dir }));
    await sh('bird', ['-p', '-c', join(dir, 'bird.conf')]);
  }
  t.pass('bird -p parsed both variants');
});
