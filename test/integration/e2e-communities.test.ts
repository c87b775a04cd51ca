import t from 'tap';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES, startRouter } from '../lab/router.js';
import { startCapture } from '../lab/capture.js';
import { bgpGlobal, freePort, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Config → speaker: bgp-communities on the announced VIP, and at SIGTERM the RFC 8326
// GRACEFUL_SHUTDOWN re-announcement for bgp-graceful-shutdown-wait seconds before the withdrawal.

const run = promisify(execFile);
const GSHUT = '65535:0';

interface Update { time: number; nlri: string[]; withdrawn: string[]; communities: string[] }

async function updates(file: string, from: string): Promise<Update[]> {
  const fields = ['frame.time_relative', 'bgp.type', 'bgp.nlri_prefix', 'bgp.withdrawn_prefix',
    'bgp.update.path_attribute.community_as', 'bgp.update.path_attribute.community_value', 'bgp.update.path_attribute.community_wellknown'];
  const { stdout } = await run('tshark', ['-r', file, '-d', 'tcp.port==179,bgp', '-Y', `ip.src == ${from} && bgp.type == 2`,
    '-T', 'fields', ...fields.flatMap((f) => ['-e', f]), '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=;'], { maxBuffer: 1 << 24 });
  const list = (s: string | undefined) => (s ? s.split(';').filter((x) => x !== '') : []);
  return stdout.trim().split('\n').filter(Boolean).map((l) => {
    const c = l.split('\t');
    const as = list(c[4]);
    const val = list(c[5]);
    // tshark shows well-known communities (RFC 1997, RFC 8326) apart, as one 32-bit hex number.
    const known = list(c[6]).map((h) => `${Number(h) >>> 16}:${Number(h) & 0xffff}`);
    const prefixes = (s: string | undefined) => list(s).map((x) => (x.includes('/') ? x : `${x}/32`));
    return { time: Number(c[0]), nlri: prefixes(c[2]), withdrawn: prefixes(c[3]), communities: [...as.map((a, i) => `${a}:${val[i]}`), ...known] };
  });
}

t.test('bgp-communities reach the router; SIGTERM re-announces with GRACEFUL_SHUTDOWN, waits, then withdraws', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, 'tcpdump', 'tshark')) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const router = await startRouter({ kind: 'frr', routerIp: lo.router(0), speakerIp: lo.speaker, passive: true });
  t.teardown(() => router.stop());
  const { port } = await singleBackend(t, lo.router(10), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: [router.ip], speaker: lo.speaker, apiPort, extra: ['bgp-communities = 64600:100 no-export', 'bgp-graceful-shutdown-wait = 1'] })}
${webService(port, `${dir}/web.pools`, ['monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 0.3', 'proxyfetch.timeout = 0.25'])}`);
  const cap = await startCapture({ iface: 'lo', filter: `tcp port 179 and host ${lo.speaker}`, file: join(dir, 'bgp.pcap') });
  t.teardown(() => cap.stop());
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await router.waitRib((rib) => rib.some((x) => x.prefix === '10.2.1.1/32'), 20_000);

  vipd.signal('SIGTERM');
  t.equal(await vipd.exited, 0, 'vipd exits 0');
  await cap.stop();

  const all = await updates(cap.file, lo.speaker);
  const announce = all.find((u) => u.nlri.includes('10.2.1.1/32'));
  t.same(announce?.communities.sort(), ['64600:100', '65535:65281'], 'the configured communities (no-export is 65535:65281)');
  const gshut = all.find((u) => u.nlri.includes('10.2.1.1/32') && u.communities.includes(GSHUT));
  const withdraw = all.find((u) => u.withdrawn.includes('10.2.1.1/32'));
  t.ok(gshut, `an UPDATE re-announcing the VIP with ${GSHUT}`);
  t.ok(withdraw, 'the withdrawal');
  if (gshut && withdraw) {
    t.ok(withdraw.time > gshut.time, 'GRACEFUL_SHUTDOWN first, then the withdrawal');
    t.ok(withdraw.time - gshut.time >= 0.9, `the withdrawal waits bgp-graceful-shutdown-wait (${(withdraw.time - gshut.time).toFixed(2)} s)`);
    t.same(gshut.communities.filter((c) => c !== GSHUT).sort(), ['64600:100', '65535:65281'], 'the configured communities stay on');
  }
});
