import { writeFileSync } from 'node:fs';
import { inNetns, readLog, sh, startDaemon, waitFor, type Daemon } from '../proc.js';
import type { ResolvedOptions, RibRoute } from '../router-types.js';
import { birdConfig } from './bird-config.js';

/** BIRD 2 in the foreground (-f), control socket in the router's dir; `config` replaces the generated bird.conf. */
export async function startBird(o: ResolvedOptions, config?: string): Promise<Daemon> {
  writeFileSync(`${o.dir}/bird.conf`, config ?? (o.config ? o.config(o.dir) : birdConfig(o)));
  await sh('bird', ['-p', '-c', `${o.dir}/bird.conf`]);
  const [cmd, argv] = inNetns(o.netns, 'bird', ['-f', '-c', `${o.dir}/bird.conf`, '-s', `${o.dir}/bird.ctl`, '-P', `${o.dir}/bird.pid`]);
  const d = startDaemon(cmd, argv, `${o.dir}/bird.stdout`);
  await waitFor('BIRD control socket', 10_000, async () =>
    !d.exited() && (await birdc(o, 'show', 'status')).includes('Daemon is up and running'));
  return d;
}

export function birdc(o: ResolvedOptions, ...args: string[]): Promise<string> {
  return sh('birdc', ['-s', `${o.dir}/bird.ctl`, ...args]);
}

export async function birdEstablished(o: ResolvedOptions): Promise<boolean> {
  return /\bEstablished\b/.test(await birdc(o, 'show', 'protocols', 'pybal'));
}

/** Parses `show route all protocol pybal`: a route line, then indented attribute lines. */
export function parseBirdRoutes(text: string): RibRoute[] {
  const routes: RibRoute[] = [];
  let cur: RibRoute | null = null;
  let lastPrefix = '';
  for (const line of text.split('\n')) {
    const head = /^(\S+)?\s+(unicast|unreachable|blackhole|prohibit)\s+\[pybal\b[^\]]*\]\s*(\*)?/.exec(line);
    if (head && (head[1] || lastPrefix) && !line.startsWith('\t')) {
      lastPrefix = head[1] ?? lastPrefix;
      cur = { prefix: lastPrefix, med: null, nextHop: '', asPath: [], best: head[3] === '*' };
      routes.push(cur);
      continue;
    }
    if (!cur) continue;
    const attr = /^\s+BGP\.(\w+):\s*(.*)$/.exec(line);
    if (!attr) continue;
    const [, name, value] = attr;
    if (name === 'med') cur.med = Number(value);
    else if (name === 'next_hop') cur.nextHop = value!.trim().split(/\s+/)[0] ?? '';
    else if (name === 'as_path') cur.asPath = value!.split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
  }
  return routes;
}

export async function birdRib(o: ResolvedOptions): Promise<RibRoute[]> {
  return parseBirdRoutes(await birdc(o, 'show', 'route', 'all', 'protocol', 'pybal'));
}

export const birdRouteRefresh = async (o: ResolvedOptions): Promise<void> => {
  await birdc(o, 'reload', 'in', 'pybal');
};
export const birdClear = async (o: ResolvedOptions): Promise<void> => {
  await birdc(o, 'enable', 'pybal');
};
export const birdLog = (o: ResolvedOptions): string => readLog(`${o.dir}/bird.log`) + readLog(`${o.dir}/bird.stdout`);
