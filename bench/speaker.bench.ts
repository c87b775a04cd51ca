// npm run bench:speaker — issue 3 §5.
// 1. withdraw handed to the speaker → route gone from a real BIRD's RIB (BIRD's control socket polled directly).
// 2. keepalives to one peer while a second peer floods 1,000,000 prefixes (announce + withdraw, repeated):
//    lateness of each keepalive against its 1 s schedule, the flood's ingest rate, peak RSS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Speaker } from '../src/speaker/speaker.js';
import type { SpeakerEvent } from '../src/speaker/types.js';
import { systemClock } from '../src/time/clock.js';
import { silentLogger } from '../src/log/logger.js';
import { startRouter } from '../test/lab/router.js';
import { waitFor } from '../test/lab/proc.js';
import { BirdCtl } from './speaker-bird-ctl.js';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f1 = (n: number): string => n.toFixed(1);

async function withdrawToGone(runs: number): Promise<void> {
  const [speakerIp, routerIp] = ['127.77.1.1', '127.77.1.2'];
  const router = await startRouter({ kind: 'bird', routerIp, speakerIp, passive: true });
  const speaker = new Speaker({ localAs: 64600, peers: [{ address: routerIp, peerAs: 64601, localAddress: speakerIp, nextHop: { ipv4: '192.0.2.10' } }] }, systemClock, silentLogger);
  let ctl: BirdCtl | null = null;
  try {
    await speaker.start();
    await router.waitEstablished(15_000);
    ctl = await BirdCtl.open(join(router.dir, 'bird.ctl'));
    const c = ctl;
    const present = async (): Promise<boolean> => (await c.query('show route for 10.2.1.1/32')).includes('[pybal');
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      speaker.setAdvertised([{ prefix: '10.2.1.1/32', med: 100 }]);
      await waitFor('route present', 5_000, present, 1);
      const t0 = performance.now();
      speaker.setAdvertised([]);
      for (let k = 0; k < 100_000 && (await present()); k++) { /* poll as fast as BIRD answers */ }
      times.push(performance.now() - t0);
    }
    console.log(`withdraw → gone from BIRD's RIB, ${runs} runs: median ${f1(pct(times, 50))} ms, p90 ${f1(pct(times, 90))} ms, min ${f1(Math.min(...times))} ms, max ${f1(Math.max(...times))} ms (target: median ≤ 10 ms)`);
  } finally {
    ctl?.close();
    await speaker.stop({ message: 'bench done' });
    await router.stop();
  }
}

async function keepalivesUnderFlood(seconds: number): Promise<void> {
  const [speakerIp, aIp, bIp] = ['127.77.0.1', '127.77.0.2', '127.77.0.3'];
  const script = join(fileURLToPath(new URL('.', import.meta.url)), 'speaker-peers.js');
  const child = spawn(process.execPath, [script, aIp, bIp, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const it = lines[Symbol.asyncIterator]();
  const first = JSON.parse(String((await it.next()).value)) as { ports: { a: number; b: number }; floodBytes: number };
  const speaker = new Speaker({
    localAs: 64600,
    peers: [
      { address: aIp, port: first.ports.a, peerAs: 64601, localAddress: speakerIp, holdTime: 3 },
      { address: bIp, port: first.ports.b, peerAs: 64601, localAddress: speakerIp, holdTime: 90, inboundLimit: 2_000_000 },
    ],
  }, systemClock, silentLogger);
  let bUp = 0;
  let million = 0;
  let received = 0;
  speaker.onEvent((e: SpeakerEvent) => {
    if (e.event === 'established' && e.peer === bIp) bUp = performance.now();
    if (e.event === 'update-received' && e.peer === bIp) {
      received += e.announced + e.withdrawn;
      if (!million && e.total >= 1_000_000) million = performance.now();
    }
  });
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  await speaker.start();
  const t0 = performance.now();
  const resultLine = (await it.next()).value as string;
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await speaker.stop({ message: 'bench done' });
  child.kill();
  const r = (JSON.parse(resultLine) as { result: { keepalives: number[]; floodStart: number; floodEnd: number; cycles: number } }).result;
  const during = r.keepalives.filter((t) => t >= r.floodStart && t <= r.floodEnd);
  const lateness = during.slice(1).map((t, i) => t - (during[i] as number) - 1000);
  const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  console.log(`flood: ${r.cycles} × (1,000,000 announced + 1,000,000 withdrawn), ${(first.floodBytes / 1e6).toFixed(1)} MB per cycle, ${received.toLocaleString('en')} prefixes in ${f1(elapsed)} s`);
  console.log(`ingest: first 1,000,000 prefixes in ${f1((million - bUp) / 1000)} s = ${Math.round(1_000_000 / ((million - bUp) / 1000)).toLocaleString('en')} prefixes/s; overall ${Math.round(received / ((r.floodEnd - r.floodStart) / 1000)).toLocaleString('en')} prefixes/s`);
  console.log(`keepalives to the other peer during the flood (1 s schedule): ${lateness.length} intervals, lateness median ${f1(pct(lateness, 50))} ms, p99 ${f1(pct(lateness, 99))} ms, max ${f1(Math.max(...lateness))} ms (target: ≤ 50 ms)`);
  console.log(`peak RSS: ${(maxRss / 1048576).toFixed(0)} MiB`);
}

await withdrawToGone(Number(process.env.BENCH_RUNS ?? 50));
await keepalivesUnderFlood(Number(process.env.BENCH_FLOOD_SECONDS ?? 12));
