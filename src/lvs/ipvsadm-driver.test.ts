import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { silentLogger } from '../log/logger.js';
import { commandRunner, type CommandRunner, type RunResult } from '../process/command-runner.js';
import { IpvsError } from './errors.js';
import { IpvsadmDriver } from './ipvsadm-driver.js';
import { realServer } from './model.js';
import { parseSave } from './parse-save.js';

// The driver's behaviour on a real IPVS kernel is tested in the QEMU guest
// (test/integration/ipvs-kernel.test.ts); here, the real ipvsadm on this host.
const owned = [{ protocol: 'tcp' as const, address: '10.255.0.1', port: 80 }];

t.test('a missing ipvsadm binary is a typed error naming it', async (t) => {
  const d = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger, ipvsadm: '/nonexistent/ipvsadm' });
  const e = await d.read().catch((x: unknown) => x);
  t.ok(e instanceof IpvsError && e.kind === 'not-installed', String(e));
  t.match(String(e), /\/nonexistent\/ipvsadm/);
});

t.test('a kernel without IPVS is a typed error (the host kernel here has none)', async (t) => {
  if (existsSync('/proc/net/ip_vs') || !existsSync('/usr/sbin/ipvsadm')) {
    t.skip('this host has IPVS or no ipvsadm', () => {});
    return;
  }
  const d = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger });
  const e = await d.apply([]).catch((x: unknown) => x);
  t.ok(e instanceof IpvsError && e.kind === 'no-ipvs', String(e));
  t.match(String(e), /Can't initialize ipvs/);
});

/** ipvsadm as the driver sees it: `-Sn` prints `saved`, `-R` succeeds unless `refuse` is set. */
function fakeIpvsadm() {
  const f = { calls: [] as string[], saved: '', refuse: false };
  const result = (stdout: string, stderr = ''): RunResult => ({
    exitCode: stderr ? 1 : 0, signal: null, stdout, stderr, stdoutTruncated: false, stderrTruncated: false, timedOut: false,
    aborted: false, leftoversKilled: false, spawnError: null, durationMs: 0, containment: 'none',
  });
  const runner: CommandRunner = {
    run: async (_cmd, args) => {
      f.calls.push(args[0]!);
      if (args[0] === '-Sn') return result(f.saved);
      if (args[0] === '-R') return f.refuse ? result('', 'Destination already exists\n') : result('');
      return result(''); // -Ln --thresholds of an empty table
    },
  };
  return { f, runner };
}

t.test('decisions cost one ipvsadm -R each; the table is read first, after a failed batch, and by readBack', async (t) => {
  const { f, runner } = fakeIpvsadm();
  const d = new IpvsadmDriver({ runner, owned, logger: silentLogger });
  const web = (w: number) => [{ key: owned[0]!, scheduler: 'wlc' as const, flags: [], ops: false, realServers: [realServer({ address: '10.255.0.2', port: 80, weight: w })] }];
  await d.apply(web(1));
  t.same(f.calls, ['-Sn', '-Ln', '-R'], 'nothing known yet: read, then the batch, no read-back');
  f.calls.length = 0;
  await d.apply(web(2));
  await d.apply(web(2));
  t.same(f.calls, ['-R'], 'a change: one batch, no read; no change: nothing at all');
  t.equal(d.known()?.[0]?.realServers[0]?.weight, 2, 'known() follows the batches');
  f.calls.length = 0;
  f.refuse = true;
  f.saved = '-A -t 10.255.0.1:80 -s wlc\n-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 2\n';
  await t.rejects(d.apply(web(3)), IpvsError);
  t.same(f.calls, ['-R', '-Sn', '-Ln'], 'a failed batch is read back at once');
  f.refuse = false;
  f.calls.length = 0;
  await d.apply(web(3));
  t.same(f.calls, ['-R'], 'planned on the table read back');
  f.calls.length = 0;
  await d.execute([]);
  await d.apply(web(4));
  t.same(f.calls, ['-R', '-Sn', '-Ln', '-R'], 'after a raw execute the table is read before planning');
  f.calls.length = 0;
  f.saved = '-A -t 10.255.0.1:80 -s wlc\n-a -t 10.255.0.1:80 -r 10.255.0.2:80 -g -w 4\n';
  await d.apply(web(4), { readBack: true });
  t.same(f.calls, ['-Sn', '-Ln'], 'readBack: the periodic check reads even when nothing is to change');
});

t.test('read() parses `-Sn` as it streams from the child: 10,000 realservers, the same table as parsing the whole text', async (t) => {
  const lines = ['-A -t 10.2.46.1:80 -s wrr'];
  for (let i = 0; i < 10_000; i++) lines.push(`-a -t 10.2.46.1:80 -r 127.46.${Math.floor(i / 250)}.${(i % 250) + 1}:80 -m -w 10`);
  const save = lines.join('\n') + '\n';
  const dir = t.testdir({ 'save.txt': save });
  // A stand-in ipvsadm: the save listing for -Sn, an empty threshold listing for -Ln.
  const bin = `${dir}/ipvsadm`;
  writeFileSync(bin, `#!/bin/sh\n[ "$1" = -Sn ] && exec /bin/cat ${dir}/save.txt\nexit 0\n`);
  chmodSync(bin, 0o755);
  const d = new IpvsadmDriver({ runner: commandRunner, owned, logger: silentLogger, ipvsadm: bin });
  const table = await d.read();
  t.same(table, parseSave(save));
  t.equal(table[0]?.realServers.length, 10_000);
  writeFileSync(`${dir}/save.txt`, save + '-x bogus\n');
  const e = await d.read().catch((x: unknown) => x);
  t.match(String(e), /ipvsadm -Sn.*10002/, 'a bad line is named with its number');
});

t.test('mh/sh/dh realservers come in the kernel\'s list order (-Ln --nosort), since -S always sorts (issue 17 §3)', async (t) => {
  const saved = '-A -t 10.255.0.1:80 -s mh\n' + [1, 2, 3].map((n) => `-a -t 10.255.0.1:80 -r 10.255.1.${n}:80 -g -w 1\n`).join('')
    + '-A -t 10.255.0.1:81 -s wlc\n' + [1, 2].map((n) => `-a -t 10.255.0.1:81 -r 10.255.1.${n}:81 -g -w 1\n`).join('');
  const row = (n: number, port: number) => `  -> 10.255.1.${n}:${port}                0          0          0          0\n`;
  const listed = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\n  -> RemoteAddress:Port\n'
    + `TCP  10.255.0.1:80 mh\n${row(3, 80)}${row(1, 80)}${row(2, 80)}TCP  10.255.0.1:81 wlc\n${row(2, 81)}${row(1, 81)}`;
  const args: string[][] = [];
  const ok = (stdout: string): RunResult => ({
    exitCode: 0, signal: null, stdout, stderr: '', stdoutTruncated: false, stderrTruncated: false, timedOut: false,
    aborted: false, leftoversKilled: false, spawnError: null, durationMs: 0, containment: 'none',
  });
  const runner: CommandRunner = { run: async (_cmd, a) => { args.push([...a]); return ok(a[0] === '-Sn' ? saved : listed); } };
  const table = await new IpvsadmDriver({ runner, owned, logger: silentLogger }).read();
  t.same(args, [['-Sn'], ['-Ln', '--thresholds', '--exact', '--nosort']], 'ipvsadm refuses --nosort with -S: the order comes from -L');
  t.same(table[0]!.realServers.map((r) => r.address), ['10.255.1.3', '10.255.1.1', '10.255.1.2'], 'mh: the list order');
  t.same(table[1]!.realServers.map((r) => r.address), ['10.255.1.1', '10.255.1.2'], 'wlc: as -S printed');
});
