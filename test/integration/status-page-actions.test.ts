import t from 'tap';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artefactDir, launchChromium, serverRow as row, waitInPage } from '../lab/browser.js';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { Backend, bgpGlobal, freePort, legacyPool, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 15 done-when, from the page in Debian's chromium: drain a server (the dry-run IPVS batch
// sets its weight to 0), take this balancer out (the VIP leaves real FRR's RIB, /overrides and
// /vips say why) and back in; restart vipd on the same state file and the reloaded page still shows
// both overrides with their reasons, and no batch gives the drained server weight again; then
// repool it from the page. Screenshots saved.

const TOKEN = 'page-actions-token-0123456789';
const VIP = '10.2.1.1/32';
const hasVip = (rib: { prefix: string }[]) => rib.some((x) => x.prefix === VIP);

/** Press a button of the override form and return what the page says of the answer. */
async function act(page: Page, button: string): Promise<string> {
  // A reloaded page shows the form folded, as an operator finds it: open it by its summary.
  if (!await page.evaluate<boolean>("document.getElementById('actions').open")) await page.click('#actions summary');
  await page.click(button);
  const done = page.getByText(/^(Done|Refused|Request failed)/);
  await done.waitFor({ timeout: 5_000 });
  return done.innerText();
}

t.test('drain and instance depool/repool from the status page, across a restart', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr)) return;
  const browser = await launchChromium(t);
  if (!browser) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'frr', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => router.stop());
  const port = await freePort(lo.speaker);
  const backends = [lo.router(10), lo.router(11), lo.router(12)].map((ip) => new Backend(ip, [port]));
  for (const b of backends) { await b.start(); t.teardown(() => b.kill()); }
  writeFile(join(dir, 'web.pools'), legacyPool(backends.map((b) => ({ host: b.ip }))));
  writeFile(join(dir, 'tokens'), `alice:${TOKEN}\n`);
  chmodSync(join(dir, 'tokens'), 0o600);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({
    routers: [router.ip], speaker: lo.speaker, apiPort,
    extra: [`admin-token-file = ${join(dir, 'tokens')}`, `state-file = ${join(dir, 'state.json')}`, 'bgp-graceful-shutdown-wait = 1'],
  })}
${webService(port, join(dir, 'web.pools'), ['depool-threshold = .5', 'monitors = [ "ProxyFetch" ]',
    "proxyfetch.url = [ 'http://web.example.org/healthz' ]", 'proxyfetch.interval = 0.3', 'proxyfetch.timeout = 0.25'])}`);
  let vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await Promise.race([vipd.waitApi(20_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  await router.waitRib(hasVip, 20_000);
  const url = `http://${lo.speaker}:${apiPort}/`;
  const shots = artefactDir();
  const vs = `10.2.1.1:${port}`;
  const target = backends[0]!.ip;

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const problems: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  t.equal((await page.goto(url))?.status(), 200);
  await waitInPage(page, "document.querySelectorAll('#pools tbody tr .badge.good').length >= 6", 10_000);

  // Drain from the page: the row's button, the token, a reason, "drain (weight 0)".
  let from = vipd.lines.length;
  await row(page, target).locator('button.act').click();
  await page.fill('#token', TOKEN);
  await page.selectOption('#o-state', 'drained');
  await page.fill('#o-reason', 'kernel upgrade T51');
  t.match(await act(page, '#o-apply'), /^Done: drained/);
  await vipd.waitLog(() => vipd.batches(from).some((b) => new RegExp(`-e -t ${vs} -r ${target}:${port} -g -w 0\\b`).test(b)), 5_000, 'the drain (-w 0) in the IPVS batch');
  t.pass('the drain reached IPVS: weight 0 (dry-run batch)');
  await row(page, target).getByText('kernel upgrade T51').waitFor({ timeout: 3_000 });
  t.match(await row(page, target).innerText(), /drained[\s\S]*by alice/, 'the row shows the drain, its reason and author');

  // Instance depool from the page: the VIP leaves FRR's RIB; /overrides and /vips say why.
  await page.fill('#o-reason', 'rack move T77');
  t.match(await act(page, '#i-depool'), /^Done: depooled: rack move T77/);
  await router.waitRib((rib) => !hasVip(rib), 15_000);
  t.pass('the VIP left FRR\'s RIB');
  t.match((await vipd.get('/overrides')).body, { instance: { state: 'depooled', reason: 'rack move T77', author: 'alice' } });
  t.match((await vipd.get('/vips')).body, [{ announced: false, reason: 'instance depooled: rack move T77' }]);
  await page.locator('#instance').getByText('rack move T77').waitFor({ timeout: 3_000 });
  // The page shows the GRACEFUL_SHUTDOWN phase first ("announce … GRACEFUL_SHUTDOWN before the withdrawal"), then this.
  await page.locator('#vips').getByText(/^instance depooled: rack move T77$/).first().waitFor({ timeout: 3_000 });
  t.match(await page.locator('#vips').innerText(), /withdraw\s*instance depooled: rack move T77[\s\S]*not announced/, 'the VIPs section says withdrawn, and why');
  await page.screenshot({ path: join(shots, 'status-page-instance-depooled.png'), fullPage: true });

  // Restart on the same state file: the reloaded page shows both overrides; nothing comes back.
  await vipd.stop();
  vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  await vipd.waitApi(20_000);
  await vipd.waitLog((l) => l.msg.startsWith('dry run: ipvsadm'), 10_000, 'a batch after the restart');
  await page.reload();
  await row(page, target).getByText('kernel upgrade T51').waitFor({ timeout: 5_000 });
  t.match(await row(page, target).innerText(), /drained[\s\S]*by alice/, 'after the restart the page still shows the drain and its reason');
  t.match(await page.locator('#instance').innerText(), /depooled[\s\S]*rack move T77[\s\S]*by alice/, 'and the instance depool and its reason');
  t.equal(await page.inputValue('#token'), TOKEN, 'the token survived the reload (sessionStorage)');
  const after = vipd.batches();
  t.ok(after.some((b) => b.includes(`-r ${target}:${port} -g -w 0`)), 'the drained server is added with weight 0');
  t.notOk(after.some((b) => new RegExp(`-r ${target}:${port} -g -w [1-9]`).test(b)), 'no batch gives it weight again');
  await router.waitEstablished(20_000);
  for (let i = 0; i < 10; i++) {
    t.notOk(hasVip(await router.rib()), `the VIP stays out of FRR's RIB after the restart (${i})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await page.screenshot({ path: join(shots, 'status-page-after-restart.png'), fullPage: true });

  // Announce again from the page: the VIP returns to FRR's RIB.
  t.equal(await act(page, '#i-repool'), 'Done: override removed (was depooled: rack move T77)');
  await router.waitRib(hasVip, 15_000);
  t.pass('the VIP is back in FRR\'s RIB');
  t.match((await vipd.get('/vips')).body, [{ announced: true }]);
  t.match((await vipd.get('/overrides')).body, { instance: null }, 'no instance override any more');
  await page.locator('#instance').waitFor({ state: 'detached', timeout: 3_000 });

  // Repool the drained server from the page: its weight comes back.
  from = vipd.lines.length;
  await row(page, target).locator('button.act').click();
  t.equal(await act(page, '#o-clear'), 'Done: override removed (was drained: kernel upgrade T51)');
  await vipd.waitLog(() => vipd.batches(from).some((b) => new RegExp(`-e -t ${vs} -r ${target}:${port} -g -w 10\\b`).test(b)), 5_000, 'the repool (-w 10) in the IPVS batch');
  t.pass('the repool gave the server its weight back');
  t.same((await vipd.get('/overrides')).body, { servers: [], instance: null }, 'no override left');
  // While vipd restarted, the live updates' fetches were refused (chromium logs each); nothing else.
  t.same(problems.filter((p) => !/Failed to load resource: net::ERR_CONNECTION_REFUSED/.test(p)), [], 'no CSP violation, script error or warning');
  await page.screenshot({ path: join(shots, 'status-page-actions.png'), fullPage: true });
  t.comment(`screenshots: ${shots}/status-page-instance-depooled.png, status-page-after-restart.png, status-page-actions.png`);
});
