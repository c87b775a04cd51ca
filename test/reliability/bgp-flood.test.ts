import t from 'tap';
import { floatToGoString } from '../../src/api/prom-text.js';
import { needTools } from '../lab/need-tools.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { sleep, waitFor } from '../lab/proc.js';
import { birdc } from '../lab/routers/bird.js';
import { tempDir } from '../integration/e2e-helpers.js';
import { floodLab, peerOf, waitReceived } from './bgp-flood-helpers.js';

// Issue 11 §9: "A router that leaks a full table at vipd makes vipd tear its own session down at a
// hidden limit of 1,000 prefixes, then reconnect and tear down again: 6 flaps in 64 s, each
// withdrawing every VIP." A real BIRD exports 120,000 /24s at vipd (`vipd run`, dry-run IPVS).

const FLOOD = 120_000;
const LIMIT = 10_000;

t.test('a router exporting 120,000 prefixes: session stays Established, the VIP stays, an alert names the peer', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lab = await floodLab({ dir: tempDir(t), flood: FLOOD, vips: 1 }, (fn) => t.teardown(fn));
  const { bird, vipd } = lab;
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await bird.waitRib((rib) => rib.some((r) => r.prefix === lab.vips[0]), 60_000);
  const p = await waitReceived(vipd, FLOOD, 120_000);
  t.equal(p.state, 'Established');
  t.equal(p.prefixesReceived, FLOOD, 'every prefix counted');
  t.equal(p.inboundLimit, LIMIT, 'the default inbound limit');
  t.equal(p.prefixesBeyondLimit, FLOOD - LIMIT, 'the excess discarded (counted, not kept)');
  t.equal(p.lastNotificationSent, null, 'no NOTIFICATION sent');
  const alerts = (await vipd.get('/alerts')).body as { status: string; msg: string };
  t.equal(alerts.status, 'warning');
  t.match(alerts.msg, `bgp ${bird.ip}: ${bird.ip} sent ${FLOOD} prefixes, over bgp-max-prefixes ${LIMIT}: ${FLOOD - LIMIT} discarded, session kept`);
  t.ok(vipd.lines.some((l) => l.msg.startsWith('peer sent more prefixes than the inbound limit') && l.peer === bird.ip), 'one log line names the peer');
  const metrics = (await vipd.get('/metrics', false)).body as string;
  t.match(metrics, `vipd_bgp_prefixes_beyond_limit{peer="${bird.ip}"} ${floatToGoString(FLOOD - LIMIT)}\n`);

  const since = (await birdc(bird.options, 'show', 'protocols', 'pybal')).split('\n').find((l) => l.startsWith('pybal'));
  await sleep(10_000);
  t.ok(await bird.established(), 'BIRD: still Established 10 s later');
  t.equal((await birdc(bird.options, 'show', 'protocols', 'pybal')).split('\n').find((l) => l.startsWith('pybal')), since, 'BIRD: same session (since time unchanged)');
  t.ok((await bird.rib()).some((r) => r.prefix === lab.vips[0]), 'the VIP is still in BIRD\'s RIB');
  t.notOk(vipd.lines.some((l) => l.msg === 'session down'), 'vipd never took the session down');
  const vips = (await vipd.get('/vips')).body as { prefix: string; announced: boolean }[];
  t.match(vips, [{ prefix: lab.vips[0], announced: true }]);
});

t.test('bgp-max-prefixes-action = teardown: the old behaviour, Cease 6/1 and the session torn down', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lab = await floodLab({ dir: tempDir(t), flood: FLOOD, vips: 1, extra: ['bgp-max-prefixes-action = teardown'] }, (fn) => t.teardown(fn));
  const { bird, vipd } = lab;
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  const down = await vipd.waitLog((l) => l.msg === 'session down', 120_000, 'vipd tears the session down');
  t.match(String(down.reason), `peer sent more than ${LIMIT} prefixes`);
  const p = await waitFor('6/1 in /bgp', 10_000, async () => { const x = await peerOf(vipd); return x.lastNotificationSent ? x : undefined; });
  t.match(p.lastNotificationSent, { code: 6, subcode: 1 }, 'Cease / Maximum Number of Prefixes Reached (RFC 4486)');
  // BIRD writes its log line when it has read the Cease: a moment after vipd's /bgp shows it sent
  const cease = /Maximum number of prefixes reached|Received: Maximum number of prefixes/i;
  const logged = await waitFor('BIRD logs the Cease', 5000, async () => cease.test(bird.log()) || undefined, 50).then(() => bird.log(), () => bird.log());
  t.match(logged, cease, 'BIRD logged the Cease it received');
});
