// npm run bench:flood [-- --minutes N] — issue 11 "a router flood": a real BIRD exports 1,000,000
// IPv4 /24s at `vipd run` (dry-run IPVS, one VIP with a real backend, hold time 30 s, keepalive 10 s,
// default inbound limit) and keeps them for N minutes (default 10). Sampled every 5 s: vipd's
// session state (its /bgp and BIRD's), the VIP in BIRD's RIB, vipd's RSS. Keepalive lateness is read
// from a tcpdump capture of vipd's own segments, started before vipd (so the flood is covered):
// each KEEPALIVE's distance from the previous one minus the 10 s keepalive interval.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCapture, type Capture } from '../test/lab/capture.js';
import { birdc } from '../test/lab/routers/bird.js';
import { sleep } from '../test/lab/proc.js';
import { findTool } from '../test/support/require-tool.js';
import { floodLab, peerOf, waitReceived } from '../test/reliability/bgp-flood-helpers.js';

const FLOOD = Number(process.env.FLOOD_PREFIXES ?? 1_000_000);
const KEEPALIVE_MS = 10_000;

function minutesArg(): number {
  const i = process.argv.indexOf('--minutes');
  const v = i >= 0 ? Number(process.argv[i + 1]) : 10;
  if (!Number.isFinite(v) || v <= 0 || v > 24 * 60) throw new Error(`flood bench: --minutes must be a positive number, got '${process.argv[i + 1]}'`);
  return v;
}

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function keepaliveTimes(file: string, speaker: string): number[] {
  const out = execFileSync('tshark', ['-r', file, '-d', 'tcp.port==179,bgp', '-Y', `ip.src == ${speaker} && bgp.type == 4`, '-T', 'fields', '-e', 'frame.time_epoch'],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').filter(Boolean).map((s) => Number(s) * 1000);
}

async function main(): Promise<void> {
  const minutes = minutesArg();
  for (const tool of ['bird', 'birdc', 'tcpdump', 'tshark']) {
    if (!findTool(tool)) { console.error(`flood bench: ${tool} not found; run test/lab/install-deps.sh`); process.exit(1); }
  }
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-flood-'));
  const stops: (() => Promise<unknown> | void)[] = [];
  try {
    let cap: Capture | null = null;
    // From before vipd starts, so the flood itself is covered: vipd's segments carrying data only
    // (PSH), i.e. its KEEPALIVEs and UPDATEs, not the ACKs of the flood.
    const beforeVipd = async (speaker: string): Promise<void> => {
      cap = await startCapture({ iface: 'lo', filter: `tcp port 179 and src host ${speaker} and tcp[tcpflags] & tcp-push != 0`, file: join(dir, 'ka.pcap') });
      const c = cap;
      stops.push(() => c.stop());
    };
    const lab = await floodLab({ dir, flood: FLOOD, vips: 1, beforeVipd }, (fn) => stops.push(fn));
    const t0 = performance.now(); // vipd's API answers
    const { bird, vipd, lo } = lab;
    if (!cap) throw new Error('flood bench: no capture');
    const capture: Capture = cap;
    await bird.waitRib((r) => r.some((x) => x.prefix === lab.vips[0]), 120_000);
    const tVip = performance.now();
    const counted = await waitReceived(vipd, FLOOD, 600_000);
    const s = (t: number): string => ((t - t0) / 1000).toFixed(1);
    console.log(`flood: ${FLOOD} prefixes from BIRD ${bird.ip} to vipd; after vipd's API came up: VIP in BIRD's RIB at ${s(tVip)} s, `
      + `${counted.prefixesReceived} counted at ${s(performance.now())} s (polled every 0.2 s); ${counted.prefixesBeyondLimit} beyond bgp-max-prefixes ${counted.inboundLimit}, discarded`);
    const since = (await birdc(bird.options, 'show', 'protocols', 'pybal')).split('\n').find((l) => l.startsWith('pybal'));
    const end = performance.now() + minutes * 60_000;
    let samples = 0, established = 0, birdUp = 0, vipInRib = 0, rssMax = 0;
    for (let i = 0; performance.now() < end && i < 100_000; i++) {
      await sleep(Math.min(5000, Math.max(0, end - performance.now())));
      samples++;
      if ((await peerOf(vipd)).state === 'Established') established++;
      if (await bird.established()) birdUp++;
      if ((await bird.rib()).some((x) => x.prefix === lab.vips[0])) vipInRib++;
      rssMax = Math.max(rssMax, rssKb(vipd.pid, 'VmRSS'));
    }
    const hwm = rssKb(vipd.pid, 'VmHWM');
    const sinceAfter = (await birdc(bird.options, 'show', 'protocols', 'pybal')).split('\n').find((l) => l.startsWith('pybal'));
    const downs = vipd.lines.filter((l) => l.msg === 'session down').length;
    const alerts = (await vipd.get('/alerts')).body as { status: string; msg: string };
    await capture.stop();
    const ka = keepaliveTimes(capture.file, lo.speaker);
    const late = ka.slice(1).map((t, i) => t - ka[i]! - KEEPALIVE_MS).sort((a, b) => a - b);
    console.log(`held ${minutes} min: vipd session Established at ${established}/${samples} samples, BIRD at ${birdUp}/${samples}; `
      + `vipd 'session down' lines: ${downs}; BIRD session ${since === sinceAfter ? 'never reset' : 'RESET'}`);
    console.log(`VIPs in BIRD's RIB: ${lab.vips.length} of ${lab.vips.length} at ${vipInRib}/${samples} samples`);
    console.log(`vipd RSS: max ${(Math.max(rssMax, hwm) / 1024).toFixed(0)} MB (VmHWM ${(hwm / 1024).toFixed(0)} MB, sampled max ${(rssMax / 1024).toFixed(0)} MB)`);
    console.log(late.length
      ? `keepalive lateness: max ${late.at(-1)!.toFixed(0)} ms, median ${late[Math.floor(late.length / 2)]!.toFixed(0)} ms (n=${late.length} intervals, expected ${KEEPALIVE_MS} ms)`
      : 'keepalive lateness: no keepalive interval captured');
    console.log(`alerts: ${alerts.status.toUpperCase()} - ${alerts.msg}`);
  } finally {
    for (const s of stops.reverse()) { try { await s(); } catch { /* best effort */ } }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
