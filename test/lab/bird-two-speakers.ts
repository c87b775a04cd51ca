// BIRD with two speaker neighbors (the harness's routers have one): for failover tests where two
// balancers announce the same VIP with different MEDs. Reuses the harness's config and daemon helpers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { birdConfig } from './routers/bird-config.js';
import { resolveOptions } from './router-types.js';
import { sh, startDaemon, waitFor, type Daemon } from './proc.js';

export interface TwoSpeakerBird {
  dir: string;
  /** The neighbor address whose route to `prefix` BIRD picked as best, or null when it has none. */
  best(prefix: string): Promise<string | null>;
  stop(): Promise<void>;
  log(): Promise<string>;
}

/** Starts BIRD at routerIp peering with speakerA (protocol pybal) and speakerB (protocol pybal_b). */
export async function startBirdTwoSpeakers(o: { routerIp: string; speakerA: string; speakerB: string; holdTime: number }): Promise<TwoSpeakerBird> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-lab-bird2-'));
  const opts = resolveOptions({ kind: 'bird', routerIp: o.routerIp, speakerIp: o.speakerA, holdTime: o.holdTime, passive: true }, dir);
  const base = birdConfig(opts);
  const start = base.indexOf('protocol bgp pybal {');
  const block = base.slice(start).trimEnd();
  const second = block.replace('protocol bgp pybal {', 'protocol bgp pybal_b {').replace(`neighbor ${o.speakerA} `, `neighbor ${o.speakerB} `);
  writeFileSync(join(dir, 'bird.conf'), `${base.trimEnd()}\n${second}\n`);
  await sh('bird', ['-p', '-c', join(dir, 'bird.conf')]);
  const d: Daemon = startDaemon('bird', ['-f', '-c', join(dir, 'bird.conf'), '-s', join(dir, 'bird.ctl')], join(dir, 'bird.stdout'));
  const birdc = (...args: string[]): Promise<string> => sh('birdc', ['-s', join(dir, 'bird.ctl'), ...args]);
  try {
    await waitFor('BIRD control socket', 10_000, async () => !d.exited() && (await birdc('show', 'status')).includes('Daemon is up'));
  } catch (err) {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const neighbor: Record<string, string> = { pybal: o.speakerA, pybal_b: o.speakerB };
  return {
    dir,
    async best(prefix) {
      const text = await birdc('show', 'route', 'for', prefix, 'all');
      for (const line of text.split('\n')) {
        const m = /\[(\w+)\s[^\]]*\]\s*\*/.exec(line);
        if (m) return neighbor[m[1] as string] ?? null;
      }
      return null;
    },
    async stop() {
      await d.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => sh('cat', [join(dir, 'bird.log')]).catch(() => ''),
  };
}
