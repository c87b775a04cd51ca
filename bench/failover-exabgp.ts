// bench:failover (x): ExaBGP 4.2's healthcheck in vipd's place, same routers, same hung backend
// (SIGSTOP), so (b), (g) and (x) are comparable within one run. Tuned as tightly as it goes:
// `--interval 1 --fast-interval 1 --rise 1 --fall 1 --withdraw-on-down`, the check
// `curl -sf --max-time 0.5` (vipd's (b): interval 1 s, timeout 0.5 s). Measured: SIGSTOP → the VIP
// gone from each router's RIB (polled).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Router } from '../test/lab/router.js';
import { freePort } from '../test/integration/e2e-helpers.js';

export interface ExaCaseDeps {
  routers: Router[];
  lo: { speaker: string; router: (i: number) => string };
  runs: number;
  startBackend: (ip: string, port: number) => Promise<{ proc: ChildProcess; stop(): void }>;
  waitRib: (r: Router, present: boolean, timeoutMs: number) => Promise<number>;
  stats: (xs: number[]) => string;
}

export async function exabgpHungCase(d: ExaCaseDeps): Promise<void> {
  const name = '(x) ExaBGP healthcheck (curl --max-time 0.5, interval 1), hung (SIGSTOP)';
  const dir = mkdtempSync(join(tmpdir(), 'vipd-bench-exa-'));
  const ip = d.lo.router(10);
  const port = await freePort(d.lo.speaker);
  // A script, so ExaBGP's config parser sees no quotes.
  writeFileSync(join(dir, 'check.sh'), `#!/bin/sh\nexec curl -sf --max-time 0.5 -o /dev/null -H 'Host: web.example.org' http://${ip}:${port}/\n`, { mode: 0o755 });
  const hc = ['/usr/bin/python3 -m exabgp healthcheck --no-syslog --no-ack --interval 1 --fast-interval 1 --rise 1 --fall 1',
    `--withdraw-on-down --no-ip-setup --ip 10.2.1.1/32 --next-hop 192.0.2.10 --timeout 1 --cmd ${join(dir, 'check.sh')}`].join(' ');
  writeFileSync(join(dir, 'exabgp.conf'), [
    'process hc {', `  run ${hc};`, '  encoder text;', '}',
    ...d.routers.flatMap((r) => [`neighbor ${r.ip} {`, `  router-id ${d.lo.speaker};`, `  local-address ${d.lo.speaker};`,
      '  local-as 64600;', '  peer-as 64601;', '  hold-time 30;', '  family { ipv4 unicast; }', '  api { processes [ hc ]; }', '}']),
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'exabgp.env'), [
    '[exabgp.api]', 'ack = false', 'cli = false', '[exabgp.daemon]', 'daemonize = false', 'drop = false', 'user = root', "pid = ''",
    '[exabgp.log]', 'destination = stdout', 'level = INFO', '[exabgp.tcp]', 'port = 179', "bind = ''", '',
  ].join('\n'));
  let backend = await d.startBackend(ip, port);
  const exa = spawn('/usr/sbin/exabgp', ['--env', join(dir, 'exabgp.env'), join(dir, 'exabgp.conf')], { stdio: 'ignore', env: { ...process.env, 'exabgp.api.ack': 'false' } });
  const down: Record<string, number[]> = {};
  try {
    await Promise.all(d.routers.map((r) => d.waitRib(r, true, 60_000)));
    for (let run = 0; run < d.runs; run++) {
      await new Promise((res) => setTimeout(res, 300 + Math.random() * 700));
      const failedAt = performance.now();
      backend.proc.kill('SIGSTOP');
      const gone = await Promise.all(d.routers.map((r) => d.waitRib(r, false, 10_000)));
      d.routers.forEach((r, i) => (down[r.kind] ??= []).push(gone[i]! - failedAt));
      backend.proc.kill('SIGKILL');
      await new Promise((res) => backend.proc.exitCode !== null || backend.proc.signalCode !== null ? res(null) : backend.proc.once('exit', res));
      backend = await d.startBackend(ip, port);
      await Promise.all(d.routers.map((r) => d.waitRib(r, true, 10_000)));
    }
    for (const r of d.routers) console.log(`  ${name}: failure → VIP gone from ${r.kind}'s RIB (poll): ${d.stats(down[r.kind]!)}`);
  } finally {
    backend.stop();
    if (exa.pid !== undefined && exa.exitCode === null) process.kill(exa.pid, 'SIGTERM');
    await new Promise((res) => (exa.exitCode !== null ? res(null) : exa.once('exit', res)));
    rmSync(dir, { recursive: true, force: true });
  }
}
