import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { bgpGlobal, freePort, frrBeside, legacyPool, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 15 §1, §2, §4 done-when: the CLI against a running `vipd run` (dry-run IPVS) and real FRR:
// depool/drain/repool print what changed and refuse with the server's message; a restart keeps the
// depool and no IPVS batch re-adds the server; an instance depool takes the VIP out of FRR's RIB
// (GRACEFUL_SHUTDOWN first) and a repool brings it back.

const run = promisify(execFile);
const TOKEN = 'ops-e2e-token-0123456789';

t.test('vipd depool/drain/repool/overrides/status against vipd run and FRR, across a restart', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr)) return;
  const { lo, dir, router, port, backends } = await frrBeside(t, 2);
  const [b1, b2] = backends.map((b) => b.ip) as [string, string];
  writeFile(join(dir, 'tokens'), `ops:${TOKEN}\n`);
  await run('chmod', ['600', join(dir, 'tokens')]);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({
    routers: [router.ip], speaker: lo.speaker, apiPort,
    extra: [`admin-token-file = ${dir}/tokens`, `state-file = ${dir}/state.json`, 'bgp-graceful-shutdown-wait = 1'],
  })}
${webService(port, `${dir}/web.pools`, ['monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 0.3', 'proxyfetch.timeout = 0.25'])}`);
  const url = `http://${lo.speaker}:${apiPort}`;
  const cli = (args: string[]) => run(process.execPath, ['dist/cli/main.js', ...args, '--url', url], { timeout: 20_000 })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
  const tokenArgs = ['--token-file', join(dir, 'tokens')];
  const hasVip = (rib: { prefix: string }[]) => rib.some((x) => x.prefix === '10.2.1.1/32');

  let vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await router.waitRib(hasVip, 20_000);

  // Refusals come back with the server's message and exit 1; nothing changes.
  const noToken = await cli(['depool', 'web', b2, '--reason', 'x', '--token-file', join(dir, 'web.pools')]);
  t.equal(noToken.code, 1);
  const unknown = await cli(['depool', 'web', '10.9.9.9', '--reason', 'x', ...tokenArgs]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /^vipd depool: refused \(HTTP 404\): no server '10.9.9.9' in pool 'web'/);

  let from = vipd.lines.length;
  const dep = await cli(['depool', 'web', b2, '--reason', 'disk swap T42', ...tokenArgs]);
  t.equal(dep.code, 0, dep.stderr);
  t.match(dep.stdout, new RegExp(`^web/${b2} depooled by ops since \\S+: disk swap T42\\n  \\(was: no override\\)\\n$`));
  await vipd.waitLog((l) => l.msg.startsWith('dry run: ipvsadm') && String(l.batch).includes(`-d -t 10.2.1.1:${port} -r ${b2}:${port}`), 10_000, 'the depool batch', from);

  const drain = await cli(['drain', 'web', b1, '--reason', 'too far', ...tokenArgs]);
  t.equal(drain.code, 1, 'the last serving server cannot be drained');
  t.match(drain.stderr, /refused \(HTTP 409\): draining .* would leave 0 of 2 servers of web serving/);

  const list = await cli(['overrides', ...tokenArgs]);
  t.match(list.stdout, new RegExp(`^web/${b2} depooled by ops since \\S+: disk swap T42\\n$`));
  const status = await cli(['status']);
  t.match(status.stdout, /^WARNING - overrides: 1 override in force/);
  t.match(status.stdout, new RegExp(`\\nOverrides:\\n  web/${b2} depooled by ops`));

  // Restart: the depool holds from the first batch on.
  await vipd.stop();
  vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  await vipd.waitApi(20_000);
  await router.waitRib(hasVip, 20_000);
  await vipd.waitLog((l) => l.msg.startsWith('dry run: ipvsadm'), 10_000, 'a batch after the restart');
  const batches = vipd.batches();
  t.ok(batches.some((b) => b.includes(`-r ${b1}:${port}`)), 'the other server is added');
  t.notOk(batches.some((b) => b.includes(`-r ${b2}:${port}`)), 'no batch re-adds the depooled server');
  t.match((await vipd.get('/overrides')).body, { servers: [{ host: b2, state: 'depooled', author: 'ops' }] });
  // A reload keeps it too.
  const from2 = vipd.lines.length;
  vipd.signal('SIGHUP');
  await vipd.waitLog((l) => l.msg === 'config reloaded', 10_000, 'the reload', from2);
  t.notOk(vipd.batches(from2).some((b) => b.includes(`-r ${b2}:${port}`)), 'no batch after the reload re-adds it');
  t.match((await vipd.get('/overrides')).body, { servers: [{ host: b2 }] });

  // Instance depool: the VIP leaves FRR's RIB; repool: it comes back.
  const out = await cli(['depool', '--instance', '--reason', 'rack move', ...tokenArgs]);
  t.equal(out.code, 0, out.stderr);
  t.match(out.stdout, /^instance depooled by ops since \S+: rack move\n/);
  await router.waitRib((rib) => !hasVip(rib), 15_000);
  t.pass('the VIP left the RIB');
  t.match((await vipd.get('/vips')).body, [{ announced: false, reason: 'instance depooled: rack move' }]);
  t.ok(vipd.lines.some((l) => l.msg.startsWith('VIP withdrawn: instance depooled')), 'withdrawn after the GRACEFUL_SHUTDOWN wait');
  const back = await cli(['repool', '--instance', ...tokenArgs]);
  t.equal(back.code, 0, back.stderr);
  t.match(back.stdout, /^instance: override dropped \(was: instance depooled by ops/);
  await router.waitRib(hasVip, 15_000);
  t.pass('the VIP is back in the RIB');

  from = vipd.lines.length;
  const rep = await cli(['repool', 'web', b2, ...tokenArgs]);
  t.equal(rep.code, 0, rep.stderr);
  t.match(rep.stdout, new RegExp(`^web/${b2}: override dropped \\(was: web/${b2} depooled by ops`));
  await vipd.waitLog((l) => l.msg.startsWith('dry run: ipvsadm') && String(l.batch).includes(`-a -t 10.2.1.1:${port} -r ${b2}:${port}`), 10_000, 'the repool batch', from);
  t.match((await cli(['overrides'])).stdout, /^no overrides\n$/);
});

t.test('vipd run refuses to start with an admin-token-file others can read', async (t) => {
  const dir = tempDir(t);
  writeFile(join(dir, 'tokens'), `ops:${TOKEN}\n`);
  await run('chmod', ['644', join(dir, 'tokens')]);
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: '127.0.0.1' }]));
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `[global]\nbgp = no\nadmin-token-file = ${dir}/tokens\nstate-file = ${dir}/state.json\n\n${webService(80, `${dir}/web.pools`, ['monitors = [ ]'])}`);
  const r = await run(process.execPath, ['dist/cli/main.js', 'run', '-n', '-c', cfg], { timeout: 20_000 })
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  t.not(r.code, 0);
  t.match(r.stderr, new RegExp(`admin-token-file ${dir}/tokens: mode 0644 lets group or others read or write it; run chmod 600`));
});
