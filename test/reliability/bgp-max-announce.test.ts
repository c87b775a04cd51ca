import t from 'tap';
import { needTools } from '../lab/need-tools.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { waitFor } from '../lab/proc.js';
import { tempDir } from '../integration/e2e-helpers.js';
import { floodLab } from './bgp-flood-helpers.js';

// Issue 11 §9: "with `bgp-max-prefixes = 1` the router got 1 of 3 VIPs while /vips said all 3 were
// announced and /alerts said OK." The outbound cap is now bgp-max-announce, and the status tells the truth.

interface Vip { prefix: string; announced: boolean; reason: string; notAnnouncedTo?: { peer: string; reason: string }[] }

t.test('bgp-max-announce = 1 with 3 VIPs: BIRD gets 1, /vips, /alerts and /metrics say which 2 are not announced', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.bird)) return;
  const lab = await floodLab({ dir: tempDir(t), flood: 0, vips: 3, extra: ['bgp-max-announce = 1'] }, (fn) => t.teardown(fn));
  const { bird, vipd } = lab;
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  const rib = await bird.waitRib((r) => r.some((x) => lab.vips.includes(x.prefix)), 60_000);
  // Wait for every service's first health round: then all 3 are declared and 2 refused.
  const vips = await waitFor('2 VIPs refused in /vips', 30_000, async () => {
    const v = (await vipd.get('/vips')).body as Vip[];
    return v.filter((x) => x.notAnnouncedTo?.length).length === 2 ? v : undefined;
  }, 100);
  const inRib = (await bird.rib()).filter((x) => lab.vips.includes(x.prefix)).map((x) => x.prefix);
  t.equal(inRib.length, 1, `BIRD has exactly one VIP (${inRib.join(', ') || rib.length})`);
  const announced = vips.filter((v) => v.announced).map((v) => v.prefix);
  t.same(announced, inRib, '/vips says announced exactly for the VIP in BIRD\'s RIB');
  for (const v of vips.filter((x) => !x.announced)) {
    t.match(v.reason, `not announced to ${bird.ip}: over bgp-max-announce`, `${v.prefix}: the reason names the peer and the key`);
    t.same(v.notAnnouncedTo, [{ peer: bird.ip, reason: 'over bgp-max-announce' }]);
  }
  const text = (await vipd.get('/vips', false)).body as string;
  t.match(text, `not announced (vip`, 'the text view too');
  const alerts = (await vipd.get('/alerts')).body as { status: string; msg: string };
  t.equal(alerts.status, 'warning', '/alerts is not OK');
  t.match(alerts.msg, `bgp ${bird.ip}: 2 VIPs not announced to ${bird.ip}: over bgp-max-announce`);
  const metrics = (await vipd.get('/metrics', false)).body as string;
  t.match(metrics, `vipd_bgp_routes_refused{peer="${bird.ip}"} 2.0`);
  t.equal((metrics.match(/^vipd_vip_announced\{[^}]*\} 1\.0$/gm) ?? []).length, 1, 'vipd_vip_announced: 1 of 3');
  t.ok(await bird.established(), 'the session stays up');
});
