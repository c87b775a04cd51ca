/**
 * The catalogue's consumers cannot drift: every monitor and every option it declares is accepted
 * by pybal.conf and by `vipd probe --option`, both yield the same value for the monitor, and a bad
 * value is refused by both with the same words.
 */
import t from 'tap';
import { parseConfig, formatIssue, type ServiceConfig } from '../config/index.js';
import { CATALOGUE, createMonitor, MONITOR_KINDS, optionPrefix, type MonitorOptions, type OptionSpec } from '../health/index.js';
import { readOptions } from '../health/options.js';
import { parseOptionArgs } from './commands/probe.js';
import { buildMonitors, monitorOptions } from './run/health-adapter.js';

const service = (kind: string, lines: string[]): string => `[svc]
protocol = tcp
ip = 10.255.7.1
port = 80
scheduler = wrr
config = file:///etc/pybal/pools/svc
monitors = [ '${kind}' ]
${lines.join('\n')}
`;

function parseService(text: string): { service?: ServiceConfig; problems: string[] } {
  const r = parseConfig(text, 'pybal.conf');
  const problems = [...(r.ok ? [] : r.errors), ...r.warnings].map(formatIssue);
  return { service: r.ok ? r.config.services[0] : undefined, problems };
}

/** A value each kind refuses, written as pybal.conf would. */
/** What `vipd probe --vip 10.255.7.1` gives the monitor: the service, for tcp.via-vip. */
const PROBE_DEPS = { service: { vip: '10.255.7.1', forwarding: 'dr' as const } };

const BAD: Record<OptionSpec['kind'], string | null> = {
  seconds: 'soon', timeout: 'soon', number: 'lots', integer: '1.5', bool: 'maybe', strings: '[ 1 ]', args: "'-v'", statuses: '99', string: null,
};

for (const kind of MONITOR_KINDS) {
  const options: Readonly<Record<string, OptionSpec>> = CATALOGUE[kind].options;
  const prefix = optionPrefix(kind);
  const required = Object.entries(options).filter(([, s]) => s.required).map(([k, s]) => [k, s.example] as const);
  const merged = (extra: Array<readonly [string, string]>): Array<[string, string]> => [...new Map([...required, ...extra]).entries()];
  const lines = (extra: Array<readonly [string, string]>): string[] => merged(extra).map(([k, v]) => `${prefix}.${k} = ${v}`);
  const probeArgs = (extra: Array<readonly [string, string]>): string[] => merged(extra).map(([k, v]) => `${k}=${v}`);

  t.test(`${kind}: every option works from pybal.conf and from vipd probe, with the same value`, async (t) => {
    for (const [opt, spec] of Object.entries(options)) {
      const { service: svc, problems } = parseService(service(kind, lines([[opt, spec.example]])));
      t.same(problems, [], `pybal.conf takes ${prefix}.${opt} = ${spec.example}`);
      if (!svc) continue;
      t.equal(svc.monitors[0]?.name, kind, `pybal.conf knows ${kind}`);
      const fromConf = monitorOptions(svc.monitors[0]!, svc.name);
      const fromProbe = parseOptionArgs(kind, probeArgs([[opt, spec.example]]));
      // What the monitor reads: the catalogue's reading of either input.
      const read = (o: MonitorOptions): unknown => (readOptions(kind, o) as Record<string, unknown>)[opt];
      t.same(read(fromConf), read(fromProbe), `${opt}: pybal.conf and vipd probe give the monitor the same value`);
      t.notSame(read(fromConf), spec.default, `${opt}: the example is not the default, so it shows the option arrives`);
      const built = buildMonitors(svc, {});
      t.ok('monitors' in built, `${opt}: the monitor builds from pybal.conf ${'error' in built ? built.error : ''}`);
      const probed = createMonitor(kind, fromProbe, PROBE_DEPS);
      t.ok(probed.ok, `${opt}: the monitor builds from vipd probe ${probed.ok ? '' : probed.error}`);
      if ('monitors' in built) for (const m of built.monitors) m.close?.();
      if (probed.ok) probed.value.close?.();
    }
  });

  t.test(`${kind}: all options at once`, async (t) => {
    const all = Object.entries(options).map(([k, s]) => [k, s.example] as const);
    const { service: svc, problems } = parseService(service(kind, lines(all)));
    t.same(problems, []);
    const probed = createMonitor(kind, parseOptionArgs(kind, probeArgs(all)), PROBE_DEPS);
    t.ok(probed.ok, probed.ok ? '' : probed.error);
    if (probed.ok) probed.value.close?.();
    if (svc) {
      const built = buildMonitors(svc, {});
      t.ok('monitors' in built);
      if ('monitors' in built) for (const m of built.monitors) m.close?.();
    }
  });

  t.test(`${kind}: a bad value is refused by both, in the same words`, async (t) => {
    for (const [opt, spec] of Object.entries(options)) {
      const bad = BAD[spec.kind];
      if (bad === null) continue;
      const { problems } = parseService(service(kind, lines([[opt, bad]])));
      t.equal(problems.length, 1, `pybal.conf refuses ${prefix}.${opt} = ${bad}`);
      let probeError = '';
      try {
        const made = createMonitor(kind, parseOptionArgs(kind, probeArgs([[opt, bad]])));
        probeError = made.ok ? '' : made.error;
      } catch (e) { probeError = (e as Error).message; }
      t.match(probeError, new RegExp(`^${prefix}\\.${opt}: `), `vipd probe refuses ${opt}=${bad}`);
      const words = probeError.slice(`${prefix}.${opt}: `.length);
      t.ok(words !== '' && problems[0]?.endsWith(words), `same words: '${problems[0]}' / '${probeError}'`);
    }
  });
}

t.test('pybal.conf spells monitor names as PyBal does and knows exactly the catalogue', async (t) => {
  for (const kind of MONITOR_KINDS) {
    const { problems } = parseService(service(kind, []).replace(`'${kind}'`, `'${kind}', 'Ping'`));
    t.match(problems.find((p) => p.includes('Ping')) ?? '', `(known: ${MONITOR_KINDS.join(', ')})`);
  }
});

t.test('timeout = auto from pybal.conf, printed back as written', async (t) => {
  const { printConfig } = await import('../config/index.js');
  const text = `[web]\nprotocol = tcp\nip = 10.255.7.1\nport = 80\nscheduler = wrr\nconfig = file:///etc/pybal/pools/web\nmonitors = [ 'ProxyFetch' ]\nproxyfetch.url = [ 'http://a/' ]\nproxyfetch.timeout = auto\nproxyfetch.timeout-max = 0.3\n`;
  const r = parseConfig(text, 'pybal.conf');
  if (!r.ok) { t.fail(JSON.stringify(r.errors)); return; }
  const built = buildMonitors(r.config.services[0]!, {});
  t.same('monitors' in built && built.monitors[0]!.schedule.auto, { ceilingMs: 300, floorMs: 25 });
  t.match(printConfig(r.config), /proxyfetch\.timeout = auto/);
  const bad = parseConfig(text.replace('timeout = auto', 'timeout = automatic'), 'pybal.conf');
  t.match(bad.ok ? '' : JSON.stringify(bad.errors), /pybal\.conf.*"line":9.*proxyfetch\.timeout must be a number or auto, got 'automatic'/);
});
