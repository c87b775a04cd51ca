/** The keys Wikimedia's puppet template (modules/pybal/templates/pybal.conf.erb) emits, and the stricter checks. */
import t from 'tap';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';

const SVC = "protocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = file:///etc/pybal/pools/web\nmonitors = [ 'IdleConnection' ]\n";
const svc = (extra: string, base = SVC) => `[web]\n${base}${extra}`;

function parse(text: string) {
  const r = parseConfig(text, 'f.conf');
  return { r, errors: r.ok ? [] : r.errors.map(formatIssue), warnings: r.warnings.map(formatIssue) };
}
function configOf(text: string) {
  const r = parseConfig(text, 'f.conf');
  if (!r.ok) throw new Error(r.errors.map(formatIssue).join('\n'));
  t.same(r.warnings.map(formatIssue), [], 'no warnings');
  return r.config;
}

t.test('every ipvsadm scheduler is accepted', async (t) => {
  for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'mh', 'fo', 'ovf', 'twos']) {
    t.equal(configOf(svc('', SVC.replace('scheduler = wrr', `scheduler = ${s}`))).services[0]!.scheduler, s);
  }
});

t.test('scheduler-flags: per scheduler, canonical names, ipvsadm and list forms', async (t) => {
  const mh = (flags: string) => svc(`scheduler-flags = ${flags}\n`, SVC.replace('scheduler = wrr', 'scheduler = mh'));
  t.same(configOf(mh('mh-port,mh-fallback')).services[0]!.schedulerFlags, ['mh-fallback', 'mh-port']);
  t.same(configOf(mh('flag-2')).services[0]!.schedulerFlags, ['mh-port'], 'flag-2 of mh is mh-port');
  t.same(configOf(mh('["mh-port"]')).services[0]!.schedulerFlags, ['mh-port'], "Ruby's array rendering");
  t.same(configOf(mh('')).services[0]!.schedulerFlags, []);
  const sh = svc('scheduler-flags = flag-1 sh-port\n', SVC.replace('scheduler = wrr', 'scheduler = sh'));
  t.same(configOf(sh).services[0]!.schedulerFlags, ['sh-fallback', 'sh-port']);
  t.same(parse(mh('sh-port')).errors, ["f.conf:8: [web] scheduler-flags: 'sh-port' is not a flag of scheduler mh (use mh-fallback, mh-port) (did you mean 'mh-port'?)"]);
  t.same(parse(mh('flag-3')).errors.length, 1, 'flag-3: no scheduler reads it');
  t.same(parse(svc('scheduler-flags = flag-1\n')).errors,
    ['f.conf:8: [web] scheduler-flags: scheduler wrr reads no flags (only sh and mh do: sh-fallback, sh-port, mh-fallback, mh-port)']);
});

t.test('tunneling = true makes the service IPIP; ops as PyBal', async (t) => {
  t.equal(configOf(svc('tunneling = true\n')).services[0]!.forwarding, 'tun');
  t.equal(configOf(svc('tunneling = false\n')).services[0]!.forwarding, 'dr');
  t.equal(configOf(svc('ops = false\ntunneling = false\n')).services[0]!.ops, false, 'the template writes ops = false on every service');
  t.same(parse(svc('tunneling = true\nipvs-forwarding = nat\n')).errors,
    ['f.conf:9: [web] ipvs-forwarding = nat contradicts tunneling = true (line 8); drop one']);
  t.same(parse(svc('tunneling = maybe\n')).errors, ["f.conf:8: [web] tunneling must be a boolean (yes/no, true/false, on/off, 1/0), got 'maybe'"]);
  const udp = SVC.replace('protocol = tcp', 'protocol = udp');
  t.equal(configOf(svc('ops = true\n', udp)).services[0]!.ops, true);
});

t.test('[global]: dry-run, advertised_instrumentation_ips, empty ERB values', async (t) => {
  const g = (lines: string) => configOf(`[global]\n${lines}\n[web]\n${SVC}`).global;
  t.equal(g('dry-run = yes').dryRun, true);
  t.equal(g('dry-run = no').dryRun, false);
  t.equal(g('').dryRun, false);
  t.same(g('advertised_instrumentation_ips = ["10.2.2.100", "2001:db8::64"]').advertisedInstrumentationIps, ['10.2.2.100', '2001:db8::64']);
  t.same(g('advertised_instrumentation_ips = []').advertisedInstrumentationIps, []);
  t.same(g('').advertisedInstrumentationIps, []);
  t.equal(g('bgp-nexthop-ipv6 = ').bgpNexthopIpv6, null, 'a nil rendered by ERB is unset');
  t.same(parse(`[global]\nadvertised_instrumentation_ips = ["10.2.2.300"]\n[web]\n${SVC}`).errors,
    ["f.conf:2: [global] advertised_instrumentation_ips must be an IP address, got '10.2.2.300'"]);
});

t.test('a service whose every monitor is unknown is an error at the monitors line', async (t) => {
  const typo = svc('', SVC.replace("[ 'IdleConnection' ]", "[ 'IdleConection' ]"));
  const p = parse(typo);
  t.same(p.errors, ['f.conf:7: [web] monitors: no known monitor in ["IdleConection"]: the servers would never be checked']);
  const one = parse(svc('', SVC.replace("[ 'IdleConnection' ]", "[ 'IdleConnection', 'Ping' ]")));
  t.same(one.errors, [], 'one known monitor is enough (the other is a warning)');
  t.match(one.warnings, [/unknown monitor 'Ping' skipped/]);
});

t.test('a repeated section or key is a warning naming both lines', async (t) => {
  const p = parse(`[web]\n${SVC}port = 81\n\n[web]\nbgp = no\n`);
  t.same(p.errors, []);
  t.same(p.warnings, [
    "f.conf:8: [web] 'port' is set again (first at line 4): this value (line 8) wins",
    'f.conf:10: [web] appears again (first at line 1): its keys are merged into the first, a key set in both takes the later value',
  ]);
  if (p.r.ok) t.equal(p.r.config.services[0]!.port, 81);
  const again = parse(`[web]\n${SVC}\n[web]\nport = 82\n`);
  t.match(again.warnings, [/^f\.conf:9: \[web\] appears again \(first at line 1\)/, /^f\.conf:10: \[web\] 'port' is set again \(first at line 4\): this value \(line 10\) wins/]);
});

t.test('runcommand.arguments is optional: absent means an empty argument vector', async (t) => {
  const c = configOf(svc("runcommand.command = /bin/true\n", SVC.replace("[ 'IdleConnection' ]", "[ 'RunCommand' ]")));
  t.same(c.services[0]!.monitors[0]!.options.arguments, [], 'absent, so the command runs with no arguments');
});
