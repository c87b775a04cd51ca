import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { loopbackBlock } from '../lab/netns.js';
import { freePort, legacyPool, tempDir, Vipd } from '../integration/e2e-helpers.js';
import { fakeIpvsadm, type FakeIpvsadm } from './lvs-fake-ipvsadm.js';

// Issue 12 §5: a second vipd started by mistake used to apply its IPVS batch, then die on
// EADDRINUSE; with one of 127.0.0.1 / ::1 taken it ran on with a warning. Now the state lock
// and every instrumentation address are taken before IPVS is touched (even read): real vipd
// processes, the real ipvsadm driver (no -n) with the fake ipvsadm of lvs-fake-ipvsadm.ts on PATH.

function config(dir: string, api: { ips: string[]; port: number } | null): string {
  const cfg = join(dir, `vipd-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(join(dir, 'web.pools'), legacyPool([{ host: '10.0.0.1' }]));
  writeFileSync(cfg, `[global]
${api ? `instrumentation = yes\ninstrumentation_port = ${api.port}\ninstrumentation_ips = [ ${api.ips.map((i) => `"${i}"`).join(', ')} ]` : ''}

[web]
protocol = tcp
ip = 10.2.1.1
port = 80
scheduler = wrr
config = file://${dir}/web.pools
`);
  return cfg;
}

/** Starts vipd with its own fake ipvsadm first on PATH (the child inherits it at spawn). */
function spawnVipd(t: Test, cfg: string, api: string, stateDir: string): { vipd: Vipd; fake: FakeIpvsadm } {
  const fake = fakeIpvsadm();
  t.teardown(() => fake.cleanup());
  const before = process.env.PATH;
  process.env.PATH = `${fake.pathDir}:${before}`;
  const vipd = new Vipd(cfg, api, ['--state-dir', stateDir]);
  process.env.PATH = before;
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(30)); });
  return { vipd, fake };
}

async function exitsAtOnce(t: Test, vipd: Vipd): Promise<string> {
  const code = await Promise.race([vipd.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
  t.equal(code, 1, 'the second vipd exits with status 1');
  return vipd.stderr.join('');
}

t.test('a second vipd on the same state exits before it reads or writes IPVS; the first runs on', async (t) => {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const state = join(dir, 'state');
  const port = await freePort(lo.speaker);
  const first = spawnVipd(t, config(dir, { ips: [lo.speaker], port }), `${lo.speaker}:${port}`, state);
  await first.vipd.waitApi(15_000);
  await t.resolves(waitTable(first.fake), 'the first vipd applied its table');

  // No instrumentation at all: only the lock can stop it.
  const second = spawnVipd(t, config(dir, null), '', state);
  const err = await exitsAtOnce(t, second.vipd);
  t.match(err, new RegExp(`another vipd \\(pid ${first.vipd.pid}\\) holds ${state}/vipd\\.lock: it owns IPVS on this host`));
  t.same(second.fake.calls(), [], 'the second vipd never ran ipvsadm, not even -Sn');
  t.equal((await first.vipd.get('/pools')).status, 200, 'the first one still answers');
  t.ok(existsSync(join(state, 'vipd.lock')), "the first one's lock is left alone");

  await first.vipd.stop();
  t.notOk(existsSync(join(state, 'vipd.lock')), 'a stopped vipd releases its lock');
});

t.test('a lock left by a crashed vipd is taken over', async (t) => {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const state = join(dir, 'state');
  const dead = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
  spawnSync('mkdir', ['-p', state]);
  writeFileSync(join(state, 'vipd.lock'), `${dead} 42\n`);
  const port = await freePort(lo.speaker);
  const { vipd, fake } = spawnVipd(t, config(dir, { ips: [lo.speaker], port }), `${lo.speaker}:${port}`, state);
  await vipd.waitApi(15_000);
  await t.resolves(waitTable(fake));
});

for (const taken of ['127.0.0.1', '::1']) {
  t.test(`only one of 127.0.0.1 / ::1 bindable (${taken} taken by another process): fatal, before IPVS`, async (t) => {
    const dir = tempDir(t);
    const port = await freePort('127.0.0.1');
    const other = await occupy(taken, port);
    t.teardown(() => new Promise<void>((r) => other.close(() => r())));
    const { vipd, fake } = spawnVipd(t, config(dir, { ips: ['127.0.0.1', '::1'], port }), '', join(dir, 'state'));
    const err = await exitsAtOnce(t, vipd);
    const shown = taken.includes(':') ? `\\[${taken.replace(/:/g, ':')}\\]` : taken.replace(/\./g, '\\.');
    t.match(err, new RegExp(`cannot listen on ${shown}:${port}: .*EADDRINUSE.*is another vipd running`));
    t.same(fake.calls(), [], 'no ipvsadm at all');
    t.notOk(existsSync(join(dir, 'state', 'vipd.lock')), 'the lock is released on the way out');
  });
}

async function waitTable(fake: FakeIpvsadm): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (fake.table().includes('-a -t 10.2.1.1:80 -r 10.0.0.1:80')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no table applied: ${fake.table()}`);
}

function occupy(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port, ipv6Only: true }, () => resolve(s));
  });
}
