import t from 'tap';
import { parseConfig } from '../../config/schema.js';
import type { IpvsTable } from '../../lvs/index.js';
import { silentLogger } from '../../log/logger.js';
import type { CommandRunner, RunResult } from '../../process/command-runner.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { serviceKey } from '../ipvs-mapping.js';
import { VipGuard, type VipGuardOptions } from './vip-guard.js';

const conf = (extra = '') => {
  const svc = (name: string, ip: string, bgp = 'yes') => `[${name}]\nprotocol = tcp\nip = ${ip}\nport = 80\nscheduler = wrr\nconfig = file:///p\nbgp = ${bgp}\n`;
  const r = parseConfig(`${svc('web', '10.2.1.1')}${svc('dns', '10.2.1.2')}${svc('off', '10.2.1.9', 'no')}${extra}`, 'f.conf');
  if (!r.ok) throw new Error('bad config');
  return r.config.services;
};
const held = (services: ReturnType<typeof conf>): IpvsTable => services.map((s) => ({ key: serviceKey(s), scheduler: 'wrr', flags: [], ops: false, realServers: [] }));

function guard(o: Partial<VipGuardOptions> & { local: Set<string>; table: IpvsTable | null }) {
  const out = { withheld: [] as [string, string][][], alerts: new Map<string, string>(), runs: [] as string[] };
  const ok: RunResult = {
    exitCode: 0, signal: null, stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false,
    timedOut: false, aborted: false, leftoversKilled: false, spawnError: null, durationMs: 1, containment: 'none',
  };
  const runner: CommandRunner = { run: async (cmd, args) => { out.runs.push([cmd, ...args].join(' ')); if (args[1] === 'add') o.local.add(args[2]!.split('/')[0]!); return ok; } };
  const g = new VipGuard({
    clock: new FakeClock(), log: silentLogger, runner, path: '/usr/sbin', mode: 'enforce', bind: false,
    known: () => o.table, withhold: (r) => out.withheld.push([...r]),
    raise: (s, m) => out.alerts.set(s, m), clear: (s) => out.alerts.delete(s),
    localAddresses: () => new Set(o.local), ...o,
  });
  return { g, out };
}

t.test('a VIP not on this host is withheld with an alert; added later, it is released and the alert cleared', async (t) => {
  const services = conf();
  const local = new Set(['10.2.1.2']);
  const { g, out } = guard({ local, table: held(services) });
  await g.configure(services);
  t.same(out.withheld.at(-1), [['10.2.1.1', '10.2.1.1 is not configured on this host']]);
  t.same([...out.alerts], [['vip 10.2.1.1', 'VIP withheld: 10.2.1.1 is not configured on this host']]);
  local.add('10.2.1.1');
  g.check();
  t.same(out.withheld.at(-1), []);
  t.same([...out.alerts], [], 'alert cleared');
  t.same(out.runs, [], 'without bind-vips nothing is run');
});

t.test('IPVS lacking a service withholds its VIP only; a VIP with bgp = no is not checked', async (t) => {
  const services = conf();
  const { g, out } = guard({ local: new Set(['10.2.1.1', '10.2.1.2']), table: held(services.filter((s) => s.name !== 'dns')) });
  await g.configure(services);
  t.same(out.withheld.at(-1), [['10.2.1.2', 'IPVS has no service 10.2.1.2:80/tcp']]);
});

t.test('the periodic check (every 5 s) sees an address that goes away', async (t) => {
  const services = conf();
  const local = new Set(['10.2.1.1', '10.2.1.2']);
  const clock = new FakeClock();
  const { g, out } = guard({ local, table: held(services), clock });
  await g.configure(services);
  g.start();
  local.delete('10.2.1.2');
  clock.advance(5000);
  t.same(out.withheld.at(-1), [['10.2.1.2', '10.2.1.2 is not configured on this host']]);
  await g.stop(false);
  t.equal(clock.pendingCount, 0);
});

t.test('dry run: logs the result, never withholds nor alerts', async (t) => {
  const services = conf();
  const { g, out } = guard({ local: new Set(), table: null, mode: 'log' });
  await g.configure(services);
  t.same(out.withheld, []);
  t.same([...out.alerts], []);
});

t.test('bind-vips: adds the missing /32 to lo, removes only what it added on a full stop', async (t) => {
  const services = conf('[v6]\nprotocol = tcp\nip = 2001:db8::1\nport = 80\nscheduler = wrr\nconfig = file:///p\n');
  const local = new Set(['10.2.1.2']);
  const { g, out } = guard({ local, table: held(services), bind: true });
  await g.configure(services);
  t.same(out.runs, ['ip addr add 10.2.1.1/32 dev lo', 'ip addr add 10.2.1.9/32 dev lo', 'ip addr add 2001:db8::1/128 dev lo']);
  t.same(out.withheld.at(-1), [], 'announced once bound');
  out.runs.length = 0;
  await g.configure(services.filter((s) => s.name !== 'off'));
  t.same(out.runs, ['ip addr del 10.2.1.9/32 dev lo'], 'a VIP that left the config leaves lo');
  out.runs.length = 0;
  await g.stop(true);
  t.same(out.runs, ['ip addr del 10.2.1.1/32 dev lo', 'ip addr del 2001:db8::1/128 dev lo'], '10.2.1.2 was there before: kept');
});

t.test("the host's addresses unreadable (EMFILE): no throw, every VIP keeps its last verdict", async (t) => {
  const services = conf();
  let fail = false;
  const local = new Set(['10.2.1.2']);
  const emfile = (): Set<string> => {
    if (fail) throw Object.assign(new Error('A system error occurred: uv_interface_addresses returned Unknown system error 24'), { code: 'ERR_SYSTEM_ERROR' });
    return new Set(local);
  };
  const { g, out } = guard({ local, table: held(services), localAddresses: emfile, bind: true });
  await g.configure(services);
  const before = { withheld: out.withheld.length, last: out.withheld.at(-1), alerts: [...out.alerts] };
  fail = true;
  t.doesNotThrow(() => g.check(), 'the periodic check does not throw');
  await t.resolves(g.configure(services), 'a reload neither');
  t.equal(out.withheld.length, before.withheld + 0, 'nothing withheld or released meanwhile');
  t.same([...out.alerts], before.alerts, 'alerts unchanged');
  fail = false;
  local.add('10.2.1.1');
  g.check();
  t.same(out.withheld.at(-1), [], 'readable again: the rule applies');
});
