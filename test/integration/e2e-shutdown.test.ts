import t from 'tap';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { loopbackBlock } from '../lab/netns.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { startCapture } from '../lab/capture.js';
import { bgpGlobal, freePort, frrAndBird, singleBackend, tempDir, Vipd, webService, writeFile } from './e2e-helpers.js';

// Issue 7 §5: SIGTERM — the capture shows the withdrawal and Cease 6/2 (with its RFC 9003 message)
// before the FIN on both sessions, the routers drop the VIP, and vipd exits 0.

const run = promisify(execFile);

interface Frame { n: number; src: string; dst: string; fin: boolean; types: number[]; withdrawn: number[]; major: number[]; minor: number[]; text: string }

async function frames(file: string): Promise<Frame[]> {
  const fields = ['frame.number', 'ip.src', 'ip.dst', 'tcp.flags.fin', 'bgp.type', 'bgp.update.withdrawn_routes.length',
    'bgp.notify.major_error', 'bgp.notify.minor_error_cease', 'bgp.notify.communication'];
  const { stdout } = await run('tshark', ['-r', file, '-d', 'tcp.port==179,bgp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f]),
    '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=;'], { maxBuffer: 1 << 24 });
  const nums = (s: string | undefined) => (s ? s.split(';').filter((x) => x !== '').map(Number) : []);
  return stdout.trim().split('\n').filter(Boolean).map((l) => {
    const c = l.split('\t');
    return {
      n: Number(c[0]), src: c[1] ?? '', dst: c[2] ?? '', fin: c[3] === '1' || c[3] === 'True',
      types: nums(c[4]), withdrawn: nums(c[5]), major: nums(c[6]), minor: nums(c[7]), text: c[8] ?? '',
    };
  });
}

t.test('SIGTERM: withdrawals and Cease 6/2 reach the wire before the FIN; exit 0', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr, ...ROUTER_BINARIES.bird, 'tcpdump', 'tshark')) return;
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const routers = await frrAndBird(lo, (r) => t.teardown(() => r.stop()));
  const { port } = await singleBackend(t, lo.router(10), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `${bgpGlobal({ routers: routers.map((r) => r.ip), speaker: lo.speaker, apiPort })}
${webService(port, `${dir}/web.pools`, ['monitors = [ "ProxyFetch" ]', "proxyfetch.url = [ 'http://web.example.org/' ]", 'proxyfetch.interval = 0.3', 'proxyfetch.timeout = 0.25'])}`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  for (const r of routers) await r.waitRib((rib) => rib.some((x) => x.prefix === '10.2.1.1/32'), 20_000);

  const cap = await startCapture({ iface: 'lo', filter: `tcp port 179 and host ${lo.speaker}`, file: join(dir, 'shutdown.pcap') });
  t.teardown(() => cap.stop());
  vipd.signal('SIGTERM');
  const code = await vipd.exited;
  await cap.stop();
  t.equal(code, 0, 'vipd exits 0');
  for (const r of routers) {
    await r.waitRib((rib) => !rib.some((x) => x.prefix === '10.2.1.1/32'), 10_000);
  }
  t.pass('both routers dropped the VIP');

  const all = await frames(cap.file);
  for (const r of routers) {
    const out = all.filter((f) => f.src === lo.speaker && f.dst === r.ip);
    const seq: string[] = [];
    for (const f of out) {
      for (const ty of f.types) {
        if (ty === 2 && f.withdrawn.some((w) => w > 0)) seq.push('withdraw');
        else if (ty === 3) seq.push(`notification ${f.major[0]}/${f.minor[0]}`);
        else seq.push(`type ${ty}`);
      }
      if (f.fin) seq.push('FIN');
    }
    const w = seq.indexOf('withdraw');
    const n = seq.indexOf('notification 6/2');
    const fin = seq.indexOf('FIN');
    t.ok(w >= 0 && n > w && fin > n, `${r.kind}: withdraw, then Cease 6/2, then FIN (saw: ${seq.join(', ')})`);
    const note = out.find((f) => f.types.includes(3))?.text ?? '';
    t.match(note, /vipd shutting down \(SIGTERM\)/, `${r.kind}: the RFC 9003 shutdown message is on the wire`);
  }
});

t.test('SIGTERM while vipd is still starting: heard, and a graceful stop once it is up (exit 0, not the default kill)', async (t) => {
  const lo = loopbackBlock();
  const dir = tempDir(t);
  const { port } = await singleBackend(t, lo.router(10), lo.speaker, dir);
  const apiPort = await freePort(lo.speaker);
  const cfg = join(dir, 'vipd.conf');
  writeFile(cfg, `[global]\nbgp = no\ninstrumentation = yes\ninstrumentation_ips = ["${lo.speaker}"]\ninstrumentation_port = ${apiPort}\n\n${webService(port, `${dir}/web.pools`)}`);
  const vipd = new Vipd(cfg, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  // 'service added' is logged inside Daemon.start (the start plan applied), before 'vipd running'.
  await vipd.waitLog((l) => l.msg === 'service added', 20_000, 'the start under way');
  vipd.signal('SIGTERM');
  t.equal(await vipd.exited, 0, 'exit 0');
  t.ok(vipd.lines.some((l) => l.msg === 'received SIGTERM, shutting down'), 'the signal was heard');
  t.ok(vipd.lines.some((l) => l.msg === 'exiting'), 'the graceful stop ran');
});
