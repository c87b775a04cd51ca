import t from 'tap';
import { newPool } from './depool-policy.js';
import type { RouteSpec, ServiceSpec } from './types.js';
import { buildVipInputs } from './vip-inputs.js';

const route: RouteSpec = { med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const view = (name: string, ip: string) => ({
  spec: { name, ip, port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: [], bgp: true } satisfies ServiceSpec,
  pool: newPool(0.5),
  firstRoundDone: true,
});

t.test('a withheld reason reaches the input of its VIP only, matched in canonical form', async (t) => {
  const inputs = buildVipInputs([view('web', '10.2.1.1'), view('dns', '2001:db8:0:0::53'), view('mail', '10.2.1.3')], route, new Set(),
    new Map([['10.2.1.1', 'IPVS has no service 10.2.1.1:80/tcp'], ['2001:db8::53', '2001:db8::53 is not configured on this host']]));
  t.same(inputs.map((i) => [i.ip, i.withheld]), [
    ['10.2.1.1', 'IPVS has no service 10.2.1.1:80/tcp'],
    ['2001:db8:0:0::53', '2001:db8::53 is not configured on this host'],
    ['10.2.1.3', undefined],
  ]);
  t.same(buildVipInputs([view('web', '10.2.1.1')], route, new Set()).map((i) => i.withheld), [undefined], 'none by default');
});

t.test('bgp-first-round-wait: a service whose wait is over settles its VIP and is named as still in its first round', async (t) => {
  const pending = { ...view('web', '10.2.1.1'), firstRoundDone: false };
  t.same(buildVipInputs([pending], route, new Set()).map((i) => [i.settled, i.firstRoundPending]), [[false, undefined]], 'waiting');
  const settled = new Set<string>();
  const over = buildVipInputs([{ ...pending, waitOver: true }, view('api', '10.2.1.1')], route, settled);
  t.same(over.map((i) => [i.settled, i.firstRoundPending]), [[true, ['web']]]);
  t.ok(settled.has('10.2.1.1/32'), 'latched like a completed round');
});
