import t from 'tap';
import { recordingIpvs } from '../../test/support/recording-ipvs.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { createLogger } from '../log/logger.js';
import { Coordinator } from './coordinator.js';
import type { DesiredService, RouteSpec, ServiceSpec } from './types.js';

// The coordinator resolves pool hostnames through the ResolveLimiter (bounded, negatively cached)
// and logs failures in bounded form: issue 11's 100,000-line pool wrote 36,001 "could not resolve" lines.
const route: RouteSpec = { nextHopV4: '192.0.2.10', med: 0, withdrawPolicy: 'all-down', communities: [], largeCommunities: [], asPathPrepend: 0 };
const web: ServiceSpec = { name: 'web', ip: '10.2.1.1', port: 80, protocol: 'tcp', depoolThreshold: 0.5, monitors: ['IdleConnection'], bgp: true };
const srv = (host: string) => ({ host, weight: 10, enabled: true });

function setup(dns: Record<string, string[]>, concurrency?: number) {
  const clock = new FakeClock();
  const { port: ipvs, tables } = recordingIpvs();
  const lines: { level: string; msg: string; server?: string }[] = [];
  const log = createLogger({ level: 'debug', json: true, write: (l) => lines.push(JSON.parse(l) as { level: string; msg: string }) });
  const asked: string[] = [];
  let active = 0;
  let peak = 0;
  const c = new Coordinator({
    clock, log, health: { start: () => {}, stop: () => {} }, ipvs,
    resolver: async (host) => {
      asked.push(host);
      peak = Math.max(peak, ++active);
      await new Promise((r) => setImmediate(r));
      active--;
      const a = dns[host];
      if (!a) throw new Error('ENOTFOUND');
      return a;
    },
    resolveIntervalMs: 0, ...(concurrency ? { resolveLimits: { concurrency } } : {}),
  });
  const pooled = () => (tables.at(-1)?.find((d) => d.service === 'web')?.realServers ?? []).map((r) => `${r.host}/${r.weight}`);
  return { c, clock, lines, pooled, asked, peak: () => peak };
}

t.test('unresolvable names: bounded log lines, and not asked again within the negative cache', async (t) => {
  const h = setup({ good: ['10.0.0.9'] }, 8);
  h.c.configure([web], route);
  const names = Array.from({ length: 50 }, (_, i) => `bad${i}.invalid`);
  await h.c.updatePool('web', [...names, 'good'].map((x) => srv(x)));
  const errors = () => h.lines.filter((l) => l.level === 'error' && /could not be resolved|could not resolve/.test(l.msg));
  t.equal(errors().length, 11, '10 names one by one, then one summary line');
  t.match(errors().at(-1)!.msg, '40 more servers could not be resolved');
  t.same(h.pooled(), ['good/10']);
  t.equal(h.peak(), 8, 'at most 8 look-ups at once (resolveLimits.concurrency)');
  await h.c.reresolve();
  t.equal(h.asked.filter((x) => x !== 'good').length, 50, 'the retry within 30 s came from the negative cache');
  t.equal(errors().length, 11, 'and logged nothing');
  h.clock.advance(30_000);
  await h.c.reresolve();
  t.equal(h.asked.filter((x) => x === 'bad0.invalid').length, 2, 'asked again after the negative cache');
  t.equal(errors().length, 11, 'a name failing again within 5 minutes is not logged again');
});
