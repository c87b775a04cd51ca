import t from 'tap';
import { execFile } from 'node:child_process';
import { legacyPool, writeFile } from '../integration/e2e-helpers.js';
import { waitFor, sleep } from '../lab/proc.js';
import { commandsFor, twoServices, VIP_A, VIP_B } from './guard-support.js';

// Issue 11, blast radius, the operator's side: a pool edit removing 3 of 4 servers of A is held
// for 300 s; `vipd confirm-removal A` (POST /pools/A/confirm-removal on the worker-thread API)
// applies it at once, exactly those three leave IPVS, a second confirmation is refused (exit 1),
// and B never moves.
// Asynchronous: the backends live in this process, and a blocked loop here would fail their checks.
const cli = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  execFile(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 20_000 }, (e, stdout, stderr) => {
    resolve({ status: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
  });
});

t.test('vipd confirm-removal applies a held removal of A now; B untouched', async (t) => {
  const s = await twoServices(t, { aExtra: ['pool-removal-hold = 300'] });
  const url = `http://${s.vipd.api}`;
  const bBefore = await s.pooled('B');
  const from = s.vipd.lines.length;
  const early = await cli('confirm-removal', 'A', '--url', url);
  t.equal(early.status, 1, 'nothing held yet: refused');
  t.match(early.stderr, /^vipd confirm-removal: refused: /);

  writeFile(s.poolA, legacyPool([{ host: s.a[0]! }]));
  await waitFor('the hold alert', 10_000, async () => /pool-guard A: pool update held/.test((await s.alerts()).msg), 50);
  t.same(commandsFor(s.vipd, VIP_A, s.port, from), [], 'held: no IPVS change for A');

  const ok = await cli('confirm-removal', 'A', '--url', url);
  t.equal(ok.status, 0, ok.stderr);
  t.ok(ok.stdout.trim().length > 0, `prints vipd's answer: ${ok.stdout.trim()}`);
  await waitFor('the removal applied', 10_000, async () =>
    commandsFor(s.vipd, VIP_A, s.port, from).filter((l) => l.startsWith('-d ')).length === 3, 50);
  t.same(commandsFor(s.vipd, VIP_A, s.port, from).sort(), s.a.slice(1).map((ip) => `-d -t ${VIP_A}:${s.port} -r ${ip}:${s.port}`).sort(),
    'exactly the three removed servers left IPVS');
  t.same(Object.keys(await s.pooled('A')), [s.a[0]]);

  const again = await cli('confirm-removal', 'A', '--url', url);
  t.equal(again.status, 1, 'nothing held any more: refused');
  const unknown = await cli('confirm-removal', 'C', '--url', url);
  t.same([unknown.status, unknown.stderr], [1, 'vipd confirm-removal: C: no such service in this vipd\n']);

  await sleep(1500);
  t.same(commandsFor(s.vipd, VIP_B, s.port, from), [], 'B: no IPVS command at all');
  t.same(await s.pooled('B'), bBefore, 'B: same servers, all pooled and up');
});
