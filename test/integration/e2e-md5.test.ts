import t from 'tap';
import { execFile } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { waitFor } from '../lab/proc.js';
import { bgpGlobal, freePort, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

const run = promisify(execFile);

// Issue 14 §3 through the daemon: bgp-md5-password-file to GoBGP (right password: Established),
// an inline bgp-md5-password to FRR that FRR does not share (no session, the hint in /bgp and the
// log), and neither secret anywhere the operator or a scraper can read: log, /bgp, /metrics,
// `check-config --print`. Needs `npx tsc -p tsconfig.build.json` (dist/cli/main.js).
const FILE_PW = 'file-Secret-0123';
const INLINE_PW = 'inline-Secret-4567';
const HINT = 'no answer from the peer; check the MD5 password on both sides';

t.test('vipd with TCP-MD5 peers: session, hint, and the secrets never shown', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.gobgp, ...ROUTER_BINARIES.frr)) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const gobgp = await startRouter({ kind: 'gobgp', routerIp: lo.router(40), speakerIp: lo.speaker, passive: true, md5Password: FILE_PW });
  t.teardown(() => gobgp.stop());
  const frr = await startRouter({ kind: 'frr', routerIp: lo.router(41), speakerIp: lo.speaker, passive: true, md5Password: 'what-frr-has' });
  t.teardown(() => frr.stop());
  const { port } = await singleBackend(t, lo.router(42), lo.speaker, dir);
  const pwFile = join(dir, 'bgp.secret');
  writeFile(pwFile, `${FILE_PW}\n`);
  chmodSync(pwFile, 0o600);
  const apiPort = await freePort(lo.speaker);
  const cfgFile = join(dir, 'vipd.conf');
  writeFile(cfgFile, bgpGlobal({ routers: [gobgp.ip, frr.ip], speaker: lo.speaker, apiPort, extra: [`bgp-md5-password-file = ${pwFile}`] })
    + `[bgp-peer ${frr.ip}]\nbgp-peer-as = 64601\nbgp-local-address = ${lo.speaker}\nbgp-md5-password = ${INLINE_PW}\n\n`
    + webService(port, join(dir, 'web.pools'), ['monitors = [ "IdleConnection" ]']));

  const printed = (await run(process.execPath, ['dist/cli/main.js', 'check-config', '-c', cfgFile, '--print', '--no-pools'])).stdout;
  t.match(printed, `bgp-md5-password-file = ${pwFile}`, 'check-config --print names the file');
  t.match(printed, /^bgp-md5-password = \(set\)$/m, 'and prints (set) for the inline password');

  const vipd = new Vipd(cfgFile, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(60)); });
  await vipd.waitApi(15_000);
  await gobgp.waitEstablished(30_000);
  await gobgp.waitRib((r) => r.some((x) => x.prefix === '10.2.1.1/32'), 20_000);
  type Peer = { peer: string; state: string; lastDownReason: string | null };
  const peers = await waitFor('the hint for FRR in /bgp', 30_000, async () => {
    const b = (await vipd.get('/bgp')).body as { peers: Peer[] };
    return b.peers.find((p) => p.peer === frr.ip)?.lastDownReason === HINT ? b.peers : undefined;
  }, 200);
  t.equal(peers.find((p) => p.peer === gobgp.ip)?.state, 'Established', 'the right password: Established');
  t.not(peers.find((p) => p.peer === frr.ip)?.state, 'Established', 'the wrong password: no session');
  t.notOk(await frr.established(), 'FRR has no session');
  await vipd.waitLog((l) => l.msg === HINT && l.level === 'warn' && l.peer === frr.ip, 5_000, 'the hint in the log');

  const seen = [
    JSON.stringify((await vipd.get('/bgp')).body), String((await vipd.get('/bgp', false)).body),
    String((await vipd.get('/metrics', false)).body), vipd.tail(100_000), printed,
  ].join('\n');
  for (const pw of [FILE_PW, INLINE_PW]) t.notOk(seen.includes(pw), 'the secret is not in /bgp, /metrics, the log or check-config --print');
});

t.test('without the native addon a TCP-MD5 peer stops the start with a clear error', async (t) => {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const cfgFile = join(dir, 'vipd.conf');
  writeFile(cfgFile, `[global]\nbgp = yes\nbgp-local-asn = 64600\nbgp-peer-address = ${lo.router(43)}\nbgp-local-address = ${lo.speaker}\n`
    + `bgp-nexthop-ipv4 = 192.0.2.10\nbgp-md5-password = ${INLINE_PW}\n`);
  const r = await run(process.execPath, ['dist/cli/main.js', 'run', '-c', cfgFile, '-n'], { env: { ...process.env, VIPD_NATIVE: '0' }, timeout: 20_000 })
    .then(() => ({ code: 0, out: '' }), (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout}${e.stderr}` }));
  t.not(r.code, 0, 'vipd does not start');
  t.match(r.out, `peer ${lo.router(43)}: TCP-MD5 / TTL security need vipd's native addon, which is not loaded`);
  t.notOk(r.out.includes(INLINE_PW), 'the secret is not in the output');
});
