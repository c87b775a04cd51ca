import t from 'tap';
import { parseConfig, type VipdConfig } from '../../config/index.js';
import { planReload, planSummary, type ReloadPlan } from './reload-plan.js';

const svc = (name: string, o: { ip?: string; port?: number; scheduler?: string; monitors?: string; pool?: string; extra?: string } = {}): string => `
[${name}]
protocol = tcp
ip = ${o.ip ?? '10.2.1.1'}
port = ${o.port ?? 80}
scheduler = ${o.scheduler ?? 'wrr'}
config = ${o.pool ?? `file:///srv/${name}.pools`}
monitors = ${o.monitors ?? '[ "IdleConnection" ]'}
${o.extra ?? ''}`;

const BGP = (peers: string, extra = ''): string => `[global]
bgp = yes
bgp-local-asn = 64600
bgp-peer-address = ${peers}
bgp-peer-as = 64601
bgp-nexthop-ipv4 = 192.0.2.10
${extra}`;

function cfg(text: string): VipdConfig {
  const r = parseConfig(text, 'vipd.conf');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function plan(prev: string | null, next: string, allowEmpty = false): ReloadPlan {
  const r = planReload(prev === null ? null : cfg(prev), cfg(next), { allowEmpty });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.plan;
}

const refused = (prev: string | null, next: string, allowEmpty = false): string[] => {
  const r = planReload(prev === null ? null : cfg(prev), cfg(next), { allowEmpty });
  return r.ok ? [] : r.errors;
};

const names = (p: ReloadPlan) => ({
  add: p.add, remove: p.remove, changed: p.changed.map((c) => c.name), monitors: p.buildMonitors.map((s) => s.name),
  stopPools: p.stopPools, startPools: p.startPools.map((s) => s.name), dropHealth: p.dropHealth, ipvs: p.ipvsChanged,
});

t.test('start is the plan from nothing: every service built, every peer added, instrumentation started', async (t) => {
  const p = plan(null, `${BGP('[ "10.0.0.1", "10.0.0.2" ]', 'instrumentation = yes\n')}${svc('web')}${svc('api', { port: 443 })}`);
  t.same(names(p), {
    add: ['web', 'api'], remove: [], changed: [], monitors: ['web', 'api'], stopPools: [], startPools: ['web', 'api'], dropHealth: [], ipvs: [],
  });
  t.equal(p.speaker.build, true);
  t.same(p.speaker.add.map((x) => x.address), ['10.0.0.1', '10.0.0.2']);
  t.same(p.speaker.remove, []);
  t.equal(p.instrumentation, 'start');
  t.equal(plan(null, `[global]\n${svc('web')}`).instrumentation, 'off');
  t.same(plan(null, `[global]\n${svc('web')}`).speaker, { build: false, remove: [], add: [], warnings: [] }, 'no BGP, no speaker');
});

t.test('an identical config is an empty plan', async (t) => {
  const c = `${BGP('10.0.0.1')}${svc('web')}`;
  t.same(names(plan(c, c)), { add: [], remove: [], changed: [], monitors: [], stopPools: [], startPools: [], dropHealth: [], ipvs: [] });
  t.same(plan(c, c).speaker, { build: false, remove: [], add: [], warnings: [] });
  t.equal(plan(c, c).instrumentation, 'unchanged');
});

t.test('services added and removed', async (t) => {
  const p = plan(`[global]\n${svc('web')}${svc('old', { port: 81 })}`, `[global]\n${svc('web')}${svc('new', { port: 82 })}`);
  t.same(names(p), {
    add: ['new'], remove: ['old'], changed: [], monitors: ['new'], stopPools: ['old'], startPools: ['new'], dropHealth: ['old'], ipvs: [],
  });
  t.match(planSummary(p), { added: 'new', removed: 'old', replaced: null, changed: null });
});

t.test('a new port (or VIP, or protocol) replaces the service: stopped whole, built anew', async (t) => {
  const p = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { port: 8080 })}`);
  t.same(names(p), {
    add: ['web'], remove: ['web'], changed: [], monitors: ['web'], stopPools: ['web'], startPools: ['web'], dropHealth: ['web'], ipvs: [],
  });
  t.match(planSummary(p), { added: null, removed: null, replaced: 'web' });
  t.same(plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { ip: '10.2.1.9' })}`).add, ['web']);
});

t.test('a scheduler change goes to IPVS now, keeps monitors and pool, and the log says how', async (t) => {
  const p = plan(`[global]\n${svc('web')}${svc('api', { port: 443 })}`, `[global]\n${svc('web', { scheduler: 'wlc' })}${svc('api', { port: 443 })}`);
  t.same(names(p), { add: [], remove: [], changed: ['web'], monitors: [], stopPools: [], startPools: [], dropHealth: [], ipvs: ['web'] });
  t.same(p.changed, [{ name: 'web', changes: ['scheduler wrr → wlc'] }]);
  t.equal(planSummary(p).changed, 'web (scheduler wrr → wlc)');
  const persist = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { extra: 'ipvs-persistence = 300\n' })}`);
  t.same(persist.ipvsChanged, ['web'], 'persistence too');
});

t.test('a forwarding change rebuilds the monitors too (tcp.via-vip checks the way the service forwards)', async (t) => {
  const extra = 'tcp.via-vip = yes\n';
  const p = plan(`[global]\n${svc('web', { monitors: '[ "TCP" ]', extra })}`, `[global]\n${svc('web', { monitors: '[ "TCP" ]', extra: extra + 'tunneling = true\n' })}`);
  t.same(p.buildMonitors.map((s) => [s.name, s.forwarding]), [['web', 'tun']]);
  t.same(p.ipvsChanged, ['web'], 'the realservers are re-added with -i now, not at the next pool change');
});

t.test('a monitor change rebuilds the monitors only; a pool change restarts the pool only', async (t) => {
  const m = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { monitors: '[ "IdleConnection", "ProxyFetch" ]', extra: "proxyfetch.url = [ 'http://x/' ]\n" })}`);
  t.same(names(m), { add: [], remove: [], changed: ['web'], monitors: ['web'], stopPools: [], startPools: [], dropHealth: [], ipvs: [] });
  t.same(m.changed[0]?.changes, ['monitors IdleConnection → IdleConnection,ProxyFetch']);
  const opts = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { extra: 'idleconnection.timeout-clean-reconnect = 7\n' })}`);
  t.same(opts.changed[0]?.changes, ['monitor options of IdleConnection']);
  const pool = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { pool: 'file:///srv/other.pools' })}`);
  t.same(names(pool), { add: [], remove: [], changed: ['web'], monitors: [], stopPools: ['web'], startPools: ['web'], dropHealth: [], ipvs: [] });
  t.same(pool.changed[0]?.changes, ['pool file:///srv/web.pools → file:///srv/other.pools']);
  const threshold = plan(`[global]\n${svc('web')}`, `[global]\n${svc('web', { extra: 'depool-threshold = 0.2\n' })}`);
  t.same(names(threshold).stopPools, [], 'a threshold change keeps the pool source');
  t.same(threshold.changed[0]?.changes, ['depoolThreshold 0.5 → 0.2']);
});

t.test('peers added, removed and changed; unchanged ones are left alone', async (t) => {
  const p = plan(BGP('[ "10.0.0.1", "10.0.0.2" ]') + svc('web'), BGP('[ "10.0.0.2", "10.0.0.3" ]') + svc('web'));
  t.same(p.speaker.remove, ['10.0.0.1']);
  t.same(p.speaker.add.map((x) => x.address), ['10.0.0.3']);
  const hold = plan(BGP('10.0.0.1') + svc('web'), BGP('10.0.0.1', 'bgp-hold-time = 90\n') + svc('web'));
  t.same(hold.speaker.remove, ['10.0.0.1'], 'a changed peer is closed…');
  t.same(hold.speaker.add.map((x) => [x.address, x.holdTime]), [['10.0.0.1', 90]], '…and opened with its new settings');
  t.equal(hold.speaker.build, false);
  const anyAs = plan(BGP('10.0.0.1') + svc('web'), BGP('10.0.0.1').replace('bgp-peer-as = 64601\n', '') + svc('web'));
  t.match(anyAs.speaker.warnings, [{ peer: '10.0.0.1', message: /no bgp-peer-as/ }], 'the any-AS warning when the AS is dropped');
});

t.test('instrumentation changes need a restart: a warning, the rest applied', async (t) => {
  const p = plan(`[global]\ninstrumentation = yes\n${svc('web')}`, `[global]\ninstrumentation = yes\ninstrumentation_port = 9191\n${svc('web', { scheduler: 'rr' })}`);
  t.equal(p.instrumentation, 'restart-needed');
  t.match(p.warnings, [/instrumentation settings changed/]);
});

t.test('refused plans name every reason', async (t) => {
  const running = `${BGP('10.0.0.1')}${svc('web')}`;
  t.match(refused(running, BGP('10.0.0.1')), [/has no services: it would remove all 1 running \(web\).*--allow-empty/]);
  t.same(refused(running, BGP('10.0.0.1'), true), [], '--allow-empty lets it through');
  t.match(refused(null, '[global]\n'), [/has no services and bgp = no: vipd would do nothing/]);
  t.same(refused(null, BGP('10.0.0.1')), [], 'BGP alone at start is allowed (announce nothing)');
  t.match(refused(running, `[global]\n${svc('web')}`), ['turning bgp off needs a restart']);
  t.match(refused(`[global]\n${svc('web')}`, running), ['turning bgp on needs a restart']);
  t.match(refused(running, running.replace('64600', '64700')), ['changing bgp-local-asn needs a restart']);
});
