// Issue 16 §3, blast radius: `tcp.via-vip` in a vipd without CAP_NET_RAW (setpriv drops it from the
// bounding set, so the exec'd node has no such capability, even as root) is refused where it can be
// known, naming the service and file:line: check-config, `vipd run`, and a reload, which keeps the
// running config (the server stays up, no IPVS batch, no monitor rebuilt). Needs dist/ (tsc build).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { findTool, inCI } from '../support/require-tool.js';
import { freePort, legacyPool, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';
import { loopbackBlock } from '../lab/netns.js';

const run = promisify(execFile);
const NO_RAW = ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw', '--'];
const MESSAGE = /:(\d+): \[web\] tcp\.via-vip needs CAP_NET_RAW: this process lacks it/;

function needSetpriv(t: Test): boolean {
  if (findTool('setpriv')) return true;
  if (inCI()) t.fail('CI=true and setpriv (util-linux) is missing');
  else t.skip('SKIPPED: setpriv (util-linux) not found', () => {});
  return false;
}

const checkConfig = (cfg: string, wrap: string[]) => run(wrap[0] ?? process.execPath, [...wrap.slice(1), ...(wrap.length ? [process.execPath] : []), 'dist/cli/main.js', 'check-config', '-c', cfg, '--no-pools'], { timeout: 30_000 })
  .then((r) => ({ code: 0, stderr: r.stderr }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));

t.test('check-config and vipd run refuse tcp.via-vip without CAP_NET_RAW, naming the service and file:line', async (t) => {
  if (!needSetpriv(t)) return;
  const dir = tempDir(t);
  const cfg = join(dir, 'vipd.conf');
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: '127.0.0.1' }]));
  writeFile(cfg, `[global]\nbgp = no\n\n${webService(8080, `${dir}/web.pools`, ['monitors = [ "TCP" ]', 'tcp.via-vip = yes'])}`);
  const ok = await checkConfig(cfg, []);
  t.equal(ok.code, 0, `with CAP_NET_RAW the config is valid: ${ok.stderr}`);
  const bad = await checkConfig(cfg, NO_RAW);
  t.equal(bad.code, 1, 'without it: exit 1');
  t.match(bad.stderr, `error: ${cfg}:4: [web] tcp.via-vip needs CAP_NET_RAW: this process lacks it`);

  const vipd = new Vipd(cfg, '', ['-n'], NO_RAW);
  t.teardown(() => vipd.stop());
  t.equal(await vipd.exited, 1, 'vipd run exits 1');
  t.match(vipd.stderr.join(''), MESSAGE, vipd.tail());
});

t.test('a reload adding tcp.via-vip without CAP_NET_RAW is rejected; the running config keeps running, nothing moves', async (t) => {
  if (!needSetpriv(t)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const { port } = await singleBackend(t, lo.router(0), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  const global = `[global]\nbgp = no\ninstrumentation = yes\ninstrumentation_port = ${apiPort}\ninstrumentation_ips = [ "${lo.speaker}" ]\n\n`;
  const tcp = ['monitors = [ "TCP" ]', 'tcp.interval = 0.2', 'tcp.timeout = 0.5'];
  writeFile(cfg, global + webService(port, `${dir}/web.pools`, tcp));
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`, ['-n'], NO_RAW);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await vipd.waitApi(20_000);
  const server = lo.router(0);
  const pools = async () => (await vipd.get('/pools/web')).body as Record<string, { up: boolean; pooled: boolean; reason?: string }>;
  await vipd.waitLog((l) => l.msg.startsWith('dry run: ipvsadm') && String(l.batch).includes(`-r ${server}:${port}`), 20_000, 'the server pooled');
  t.match(await pools(), { [server]: { up: true, pooled: true } });

  const from = vipd.lines.length;
  writeFile(cfg, global + webService(port, `${dir}/web.pools`, [...tcp, 'tcp.via-vip = yes']));
  vipd.signal('SIGHUP');
  const rejected = await vipd.waitLog((l) => l.msg.startsWith('config reload rejected'), 10_000, 'the reload rejected', from);
  t.match(rejected.msg, MESSAGE);
  t.match(((await vipd.get('/alerts')).body as { msg: string }).msg, /reload of .* rejected: .*\[web\] tcp\.via-vip needs CAP_NET_RAW/);
  await new Promise((r) => setTimeout(r, 1000)); // five check intervals under the old monitor
  t.match(await pools(), { [server]: { up: true, pooled: true } }, 'the server is still up and pooled');
  t.notOk(JSON.stringify(await pools()).includes('via-vip'), 'no check through the data path ran');
  t.same(vipd.batches(from), [], 'no IPVS batch');
  t.notOk(vipd.lines.slice(from).some((l) => l.msg === 'config reloaded'));
});

t.test('at run time, a send refused for want of CAP_NET_RAW (EPERM) is no verdict, never down', async (t) => {
  if (!needSetpriv(t)) return;
  // The real check (dist/), the real addon and a real raw socket, in a node without CAP_NET_RAW.
  const script = `import('./dist/health/datapath/probe.js').then(async ({ checkViaVip }) => {
    const r = await checkViaVip({ host: 'rs', ip: '127.0.0.1', port: 80 }, { vip: '10.255.9.1', forwarding: 'tun' }, 'tcp.via-vip', 300, new AbortController().signal);
    process.stdout.write(JSON.stringify(r));
  })`;
  const { stdout } = await run(NO_RAW[0]!, [...NO_RAW.slice(1), process.execPath, '-e', script], { timeout: 30_000 });
  const r = JSON.parse(stdout) as { up: boolean; noVerdict?: boolean; reason: string };
  t.equal(r.noVerdict, true, 'no verdict');
  t.match(r.reason, /^tcp\.via-vip: cannot send to 10\.255\.9\.1:80 through server rs \(127\.0\.0\.1\) by IPIP: permission denied \(errno 1\): needs CAP_NET_RAW/);
});
