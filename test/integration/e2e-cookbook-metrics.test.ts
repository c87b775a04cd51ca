import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { needTools } from '../lab/need-tools.js';
import { waitFor } from '../lab/proc.js';
import { ROUTER_BINARIES } from '../lab/router.js';
import { bgpGlobal, freePort, frrBeside, Vipd, webService, writeFile } from './e2e-helpers.js';

const run = promisify(execFile);

// Issue 12 §3 and §5 with real parts: vipd (dry-run IPVS) with a session Established to FRR, read
// as Wikimedia's tools read PyBal. The rolling-restart cookbook (operations-cookbooks
// sre/loadbalancer/restart-pybal.py) runs this regex on every line of /metrics and takes a session
// as up only when the value string is exactly "1.0" (WMF-TODAY.md).
const COOKBOOK = /^pybal_bgp_session_established\{local_asn="(\d+)",peer="(.+?)"\} (.+)$/;

function cookbookSessions(metrics: string): { asn: string; peer: string; up: boolean }[] {
  return metrics.split(/\r?\n/).flatMap((line) => {
    const m = COOKBOOK.exec(line);
    return m ? [{ asn: m[1]!, peer: m[2]!, up: m[3] === '1.0' }] : [];
  });
}

const sample = (metrics: string, re: RegExp): number | null => {
  const m = re.exec(metrics);
  return m ? Number(m[1]) : null;
};

t.test('the cookbook reads an Established session as up; per-monitor series, reload timestamps, down reasons', async (t) => {
  if (!needTools(t, ...ROUTER_BINARIES.frr)) return;
  const { lo, dir, router, port, backends } = await frrBeside(t, 2);
  const apiPort = await freePort(lo.speaker);
  const url = 'http://user:s3cret@web.example.org/healthz';
  const conf = webService(port, join(dir, 'web.pools'), [
    'depool-threshold = .5',
    'monitors = [ "ProxyFetch", "IdleConnection", "RunCommand" ]',
    `proxyfetch.url = [ '${url}' ]`, 'proxyfetch.interval = 0.5', 'proxyfetch.timeout = 0.4',
    'runcommand.command = /bin/sh', "runcommand.arguments = [ '-c', 'exit 0' ]", 'runcommand.interval = 0.5',
  ]);
  const cfgFile = join(dir, 'vipd.conf');
  const good = `${bgpGlobal({ routers: [router.ip], speaker: lo.speaker, apiPort })}${conf}`;
  writeFile(cfgFile, good);
  const vipd = new Vipd(cfgFile, `${lo.speaker}:${apiPort}`);
  t.teardown(() => vipd.stop());
  t.teardown(() => { if (!t.passing()) t.comment(vipd.tail(40)); });
  await Promise.race([vipd.waitApi(15_000), vipd.exited.then((c) => { throw new Error(`vipd exited ${c}: ${vipd.tail(5)}`); })]);
  await router.waitRib((r) => r.some((x) => x.prefix === '10.2.1.1/32'), 20_000);
  const metrics = async (): Promise<string> => String((await vipd.get('/metrics', false)).body);

  // The cookbook's check, exactly as it runs it.
  const sessions = cookbookSessions(await metrics());
  t.same(sessions, [{ asn: '64600', peer: router.ip, up: true }], 'one session, value string "1.0"');
  t.match(await metrics(), /^pybal_bgp_session_state_count\{local_asn="64600",local_ip="[^"]+",remote_ip="[^"]+",side="(active|passive)",state="ESTABLISHED"\} 1\.0$/m,
    "PyBal's state spelling");
  t.match(String((await vipd.get('/vips', false)).body), /^10\.2\.1\.1\/32: announced to 1 of 1 peers, MED 0 /m);

  // PyBal's per-monitor series, from real checks (the URL's password redacted in the label).
  const m1 = await waitFor('per-monitor series', 10_000, async () => {
    const m = await metrics();
    return /^pybal_monitor_runcommand_run_duration_seconds\{/m.test(m) && /^pybal_monitor_proxyfetch_request_duration_seconds\{/m.test(m) ? m : undefined;
  }, 100);
  const ip = backends[0]!.ip.replace(/\./g, '\\.');
  t.match(m1, new RegExp(`^pybal_monitor_proxyfetch_request_duration_seconds\\{host="${ip}",monitor="ProxyFetch",result="successful",service="web",url="http://\\*\\*\\*@web\\.example\\.org/healthz"\\} \\d+\\.\\d+(e-\\d+)?$`, 'm'));
  t.match(m1, new RegExp(`^pybal_monitor_runcommand_run_duration_seconds\\{exitcode="0",host="${ip}",monitor="RunCommand",result="successful",service="web"\\} \\d`, 'm'));
  t.match(m1, /^vipd_check_duration_seconds_bucket\{le="\+Inf",monitor="ProxyFetch",service="web"\} [1-9]\d*\.0$/m, 'check-latency histogram');
  t.notMatch(m1, /s3cret/, 'no secret in /metrics');

  // Reload timestamps: a good SIGHUP moves result="ok", a bad one moves result="error".
  const okRe = /^vipd_config_reload_timestamp_seconds\{result="ok"\} (\S+)$/m;
  const errRe = /^vipd_config_reload_timestamp_seconds\{result="error"\} (\S+)$/m;
  const ok0 = sample(m1, okRe);
  t.ok(ok0 && ok0 > 1e9, 'result="ok" is the start time at first');
  t.equal(sample(m1, errRe), 0, 'result="error" is 0 before any rejected reload');
  await new Promise((r) => setTimeout(r, 50));
  vipd.signal('SIGHUP');
  await waitFor('ok timestamp after SIGHUP', 10_000, async () => ((sample(await metrics(), okRe) ?? 0) > ok0! ? true : undefined), 100);
  t.pass('a good reload moves result="ok"');
  writeFile(cfgFile, `${good}\n[broken]\nprotocol = sctp\n`);
  vipd.signal('SIGHUP');
  const errAt = await waitFor('error timestamp', 10_000, async () => {
    const v = sample(await metrics(), errRe);
    return v && v > ok0! ? v : undefined;
  }, 100);
  t.ok(errAt > ok0!, 'a rejected reload sets result="error"');
  writeFile(cfgFile, good);

  // A backend dies: /pools/web (text and JSON), `vipd status` and the IdleConnection counters say why.
  await backends[1]!.kill();
  const dead = backends[1]!.ip;
  const text = await waitFor('down reason in /pools/web', 15_000, async () => {
    const body = String((await vipd.get('/pools/web', false)).body);
    return body.split('\n').some((l) => l.startsWith(`${dead}:\t`) && l.includes('\t(')) ? body : undefined;
  }, 100);
  const line = text.split('\n').find((l) => l.startsWith(`${dead}:`))!;
  // RunCommand (sh -c 'exit 0') stays up: PyBal's "partially up".
  t.match(line, /^\S+:\tenabled\/partially up\/(not )?pooled\t\(.*(IdleConnection|ProxyFetch): .+\)$/, `text line: ${line}`);
  t.equal(line.split(':')[0], dead, "check_pybal_ipvs_diff's host split still reads the host");
  const pj = (await vipd.get('/pools/web')).body as Record<string, { up: boolean; reason?: string }>;
  t.match(pj[dead], { up: false, reason: /(IdleConnection|ProxyFetch): / });
  t.notOk('reason' in (pj[backends[0]!.ip] ?? {}), 'an up server has no reason');
  t.notMatch(JSON.stringify(pj), /s3cret/, 'reasons redacted');
  const status = await run(process.execPath, ['dist/cli/main.js', 'status', '--url', `http://${lo.speaker}:${apiPort}`], { timeout: 20_000 });
  t.match(status.stdout, new RegExp(`${dead.replace(/\./g, '\\.')} down: .*(IdleConnection|ProxyFetch): `), '`vipd status` names the reason');
  const idle = await waitFor('IdleConnection counters', 15_000, async () => {
    const m = await metrics();
    return /^pybal_monitor_idleconnection_connections_(failed|lost)_total\{/m.test(m) ? m : undefined;
  }, 100);
  t.match(idle, new RegExp(`^pybal_monitor_idleconnection_connections_(lost_total\\{host="${dead.replace(/\./g, '\\.')}",monitor="IdleConnection",reason="ConnectionLost"|failed_total\\{host="${dead.replace(/\./g, '\\.')}",monitor="IdleConnection",reason="ConnectionRefusedError"),service="web"\\} [1-9]\\d*\\.0$`, 'm'),
    "Twisted's reason names");
  t.same(cookbookSessions(idle), [{ asn: '64600', peer: router.ip, up: true }], 'the session is still read as up');
});
