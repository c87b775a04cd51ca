import t, { type Test } from 'tap';
import { join } from 'node:path';
import { loopbackBlock } from '../lab/netns.js';
import { waitFor } from '../lab/proc.js';
import { freePort, legacyPool, tempDir, Vipd, writeFile } from '../integration/e2e-helpers.js';
import { fakeIpvsadm, type FakeIpvsadm } from './lvs-fake-ipvsadm.js';

// Issue 11, "IPVS adoption is all or nothing", with the real daemon (`vipd run`, the real
// ipvsadm driver, no -n) and the fake-but-real ipvsadm of lvs-fake-ipvsadm.ts first on its PATH:
// this host's kernel has no ip_vs, so the wrapper keeps the table in a state file. (The QEMU
// guest of test/lab/ipvs-vm has a real kernel but no way to make `ipvsadm -Sn` fail on demand.)

const WEB = ['-A -t 10.2.1.1:80 -s wrr', '-a -t 10.2.1.1:80 -r 10.0.0.1:80 -g -w 10', '-a -t 10.2.1.1:80 -r 10.0.0.2:80 -g -w 10'];
const API = ['-A -t 10.2.1.2:443 -s wrr', '-a -t 10.2.1.2:443 -r 10.0.0.3:443 -g -w 10', '-a -t 10.2.1.2:443 -r 10.0.0.4:443 -g -w 10'];
// Not in vipd's config: never touched.
const FOREIGN = ['-A -t 10.9.9.9:80 -s rr', '-a -t 10.9.9.9:80 -r 10.0.0.9:80 -g -w 1'];

interface Alerts { status: string; msg: string }

/** vipd with `web` (its pool file has a new server .5) and `api` (pool file missing: never delivered). */
async function start(t: Test, fake: FakeIpvsadm, extra = ''): Promise<{ vipd: Vipd; dir: string }> {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  writeFile(join(dir, 'web.pools'), legacyPool([{ host: '10.0.0.1' }, { host: '10.0.0.2' }, { host: '10.0.0.5' }]));
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `[global]
instrumentation = yes
instrumentation_port = ${apiPort}
instrumentation_ips = [ "${lo.speaker}" ]
${extra}
[web]
protocol = tcp
ip = 10.2.1.1
port = 80
scheduler = wrr
config = file://${dir}/web.pools

[api]
protocol = tcp
ip = 10.2.1.2
port = 443
scheduler = wrr
config = file://${dir}/api-missing.pools
`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`, []);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40), JSON.stringify(fake.calls().map((c) => [c.args.join(' '), c.exit]))); });
  await vipd.waitApi(15_000);
  return { vipd, dir };
}

function withFake(t: Test): FakeIpvsadm {
  const fake = fakeIpvsadm();
  t.teardown(() => fake.cleanup());
  const before = process.env.PATH;
  process.env.PATH = `${fake.pathDir}:${before}`; // inherited by the vipd child
  t.teardown(() => { process.env.PATH = before; });
  return fake;
}

t.test('an unreadable IPVS table at start: no batch at all, a critical alert naming the cause, nothing lost after', async (t) => {
  const fake = withFake(t);
  fake.setTable([...WEB, ...API, ...FOREIGN]);
  fake.control({ failSn: 3 });
  const { vipd } = await start(t, fake);
  const alert = await waitFor('unreadable alert', 10_000, async () => {
    const a = (await vipd.get('/alerts')).body as Alerts;
    return a.msg.includes('IPVS table unreadable') ? a : undefined;
  });
  t.equal(alert.status, 'critical');
  t.match(alert.msg, /ipvs: IPVS table unreadable: ipvsadm -Sn .*Memory allocation problem; nothing applied/, 'the alert names the cause');
  t.same(fake.calls().filter((c) => c.args[0] === '-R'), [], 'no batch while the table cannot be read');

  // The 4th read succeeds (after 0.5 + 1 + 2 s of backoff); then web's new server goes in.
  const table = await waitFor('web gets 10.0.0.5', 15_000, async () => (fake.table().includes('-r 10.0.0.5:80') ? fake.table() : undefined));
  const calls = fake.calls();
  const reads = calls.filter((c) => c.args[0] === '-Sn');
  const firstBatch = calls.findIndex((c) => c.args[0] === '-R');
  t.same(reads.slice(0, 4).map((c) => c.exit), [2, 2, 2, 0], 'three failed reads, then one that succeeds');
  t.ok(firstBatch > calls.indexOf(reads[3]!), 'the first batch comes after the first successful read');
  for (const line of [...WEB, ...API, ...FOREIGN]) t.ok(table.includes(line), `intact: ${line}`);
  t.notMatch(calls.map((c) => c.input ?? '').join(''), /^-[dD] /m, 'nothing was ever deleted');
  const after = (await vipd.get('/alerts')).body as Alerts;
  t.notMatch(after.msg, /IPVS table unreadable/, 'the alert is cleared once the table is read');
  t.match(after.msg, /api-missing\.pools/, 'only the missing pool file is still alerted');
});

t.test('a batch that fails half-way is followed by a read-back, then a retry of only what is missing', async (t) => {
  const fake = withFake(t);
  fake.setTable([...WEB.slice(0, 2), ...API, ...FOREIGN]); // web lacks 10.0.0.2 and 10.0.0.5
  fake.control({ failR: { after: 1, times: 1 } });
  // A long reconcile interval: only the retry after the failure can repair in time.
  const { vipd } = await start(t, fake, 'ipvs-reconcile-interval = 600');
  const table = await waitFor('web complete', 15_000, async () => {
    const tb = fake.table();
    return tb.includes('-r 10.0.0.2:80') && tb.includes('-r 10.0.0.5:80') ? tb : undefined;
  });
  const calls = fake.calls();
  const batches = calls.map((c, i) => [c, i] as const).filter(([c]) => c.args[0] === '-R');
  const [failed, i] = batches[0]!;
  t.equal(failed.exit, 2, 'the first batch died half-way');
  t.equal(failed.input!.trim().split('\n').length, 2, 'it had two lines; the kernel took the first');
  t.same(calls[i + 1]?.args, ['-Sn'], 'the next ipvsadm call reads the table back');
  // At once, not as the first step of the retry (that one waits 1 s).
  t.ok(calls[i + 1]!.started - failed.ended < 700, `read back ${calls[i + 1]!.started - failed.ended} ms after the failure`);
  const retryAt = batches[1]![1];
  t.ok(calls.slice(i + 1, retryAt).filter((c) => c.args[0] === '-Sn').length >= 2, 'the read-back, then the retry\'s own read');
  const retry = batches[1]![0];
  t.equal(retry.exit, 0);
  t.equal(retry.input!.trim().split('\n').length, 1, 'the retry carries only the line the failed batch did not apply');
  for (const line of [...API, ...FOREIGN]) t.ok(table.includes(line), `other services intact: ${line}`);
  const alerts = await waitFor('ipvs alert cleared', 5_000, async () => {
    const a = (await vipd.get('/alerts')).body as Alerts;
    return a.msg.includes('IPVS not updated') ? undefined : a;
  });
  t.notMatch(alerts.msg, /ipvs:/);
  t.ok(vipd.lines.some((l) => l.msg === 'IPVS apply failed' && String(l.error).includes('Memory allocation problem')), 'the failure was logged with its cause');
});
