import type { CommandModule } from 'yargs';
import { vipLine, type VipView } from '../../api/views.js';
import { describeOverride, type OverrideSet } from '../../coordinator/overrides.js';

interface Args { url: string; timeout: number }

/** `reason`: why a down server is down (absent for up servers and from an older vipd). */
type ServerDump = { pooled: boolean; enabled: boolean; up: boolean; weight: number; reason?: string };

export interface StatusData {
  alerts: { status: string; msg: string };
  pools: { name: string; servers: Record<string, ServerDump> }[];
  vips: VipView[];
  bgpText: string;
  /** Absent from a vipd without /overrides. */
  overrides?: OverrideSet;
}

/** The readable summary: alerts, pools with counts, VIPs and their state, BGP sessions. */
export function formatStatus(d: StatusData): string {
  const out: string[] = [`${d.alerts.status.toUpperCase()} - ${d.alerts.msg}`, '', 'Pools:'];
  if (d.pools.length === 0) out.push('  (none)');
  const width = Math.max(4, ...d.pools.map((p) => p.name.length));
  for (const p of d.pools) {
    const s = Object.entries(p.servers);
    const n = (f: (x: ServerDump) => boolean): number => s.filter(([, x]) => f(x)).length;
    const downPooled = s.filter(([, x]) => x.pooled && !x.up).map(([h]) => h);
    out.push(`  ${p.name.padEnd(width)}  ${s.length} servers, ${n((x) => x.enabled)} enabled, ${n((x) => x.up)} up, `
      + `${n((x) => x.pooled)} pooled${downPooled.length ? `; pooled but down: ${downPooled.join(', ')}` : ''}`);
    for (const [host, x] of s) if (!x.up) out.push(`    ${host} down: ${x.reason ?? '(reason unknown)'}`);
  }
  if (d.overrides) {
    // Issue 15 §4: every override, the instance's first.
    const all = [...(d.overrides.instance ? [d.overrides.instance] : []), ...d.overrides.servers];
    out.push('', 'Overrides:', ...(all.length ? all.map((o) => `  ${describeOverride(o)}`) : ['  (none)']));
  }
  out.push('', 'VIPs:');
  if (d.vips.length === 0) out.push('  (none)');
  for (const v of d.vips) out.push('  ' + vipLine(v).trimEnd());
  out.push('', 'BGP:');
  for (const l of d.bgpText.trimEnd().split('\n')) out.push('  ' + l);
  return out.join('\n') + '\n';
}

async function fetchStatus(base: string, timeoutMs: number): Promise<StatusData> {
  const get = async (path: string, json = true): Promise<unknown> => {
    let res: Response;
    // The API answers 429 beyond its per-client rate (docs/api.md): wait as told, a few times.
    for (let attempt = 0; ; attempt++) {
      res = await fetch(base + path, {
        headers: { accept: json ? 'application/json' : 'text/plain' }, signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status !== 429 || attempt >= 5) break;
      await res.body?.cancel();
      const wait = Math.min(2, Math.max(0.1, Number(res.headers.get('retry-after')) || 1));
      await new Promise((r) => setTimeout(r, wait * 1000));
    }
    if (path === '/overrides' && res.status === 404) return undefined; // a vipd from before issue 15
    if (!res.ok) throw new Error(`${base}${path}: HTTP ${res.status}`);
    return json ? res.json() : res.text();
  };
  const names = (await get('/pools')) as string[];
  const pools = await Promise.all(names.map(async (name) => ({
    name, servers: (await get(`/pools/${encodeURIComponent(name)}`)) as Record<string, ServerDump>,
  })));
  return {
    alerts: (await get('/alerts')) as StatusData['alerts'],
    pools,
    vips: (await get('/vips')) as VipView[],
    bgpText: (await get('/bgp', false)) as string,
    ...await get('/overrides').then((o) => (o ? { overrides: o as OverrideSet } : {})),
  };
}

export const statusCommand: CommandModule<object, Args> = {
  command: 'status',
  describe: 'Summary of a running vipd: pools, VIPs and BGP sessions (from its instrumentation port)',
  builder: (y) => y
    .option('url', { type: 'string', default: 'http://127.0.0.1:9090', describe: 'instrumentation URL of the vipd to ask' })
    .option('timeout', { type: 'number', default: 5000, describe: 'milliseconds to wait for an answer' }),
  handler: async (args) => {
    const base = args.url.replace(/\/+$/, '');
    let data: StatusData;
    try {
      data = await fetchStatus(base, args.timeout);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      process.stderr.write(`vipd status: cannot read ${base}: ${e instanceof Error ? e.message : String(e)}${cause}\n`
        + '(is vipd running with `instrumentation = yes`? pass its address with --url)\n');
      process.exitCode = 1;
      return;
    }
    process.stdout.write(formatStatus(data));
  },
};
