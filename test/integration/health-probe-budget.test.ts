// The native probe never takes the descriptors vipd needs for everything else (native/descriptor-
// budget.c): this test process lowers its own RLIMIT_NOFILE to 1,000, opens more checks than that
// against a server (another process) that accepts and never answers, and then still opens files
// and a TCP connection. A check the budget refuses is no verdict, so its server keeps its state.
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { CheckAbort } from '../../src/health/index.js';
import { verdictOf } from '../../src/health/check-timeout.js';
import { fastHttpProbe } from '../../src/health/monitors/fast-http-probe.js';
import { nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { buildRequest } from '../../src/health/monitors/http-probe.js';
import { inCI, requireTool } from '../support/require-tool.js';

const IP = `127.45.${process.pid % 250}.2`;
const LIMIT = 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('checks stop at the descriptor budget; the reserve stays free', async (t) => {
  const prlimit = requireTool(t, 'prlimit');
  if (!prlimit) return;
  execFileSync(prlimit, ['--pid', String(process.pid), `--nofile=${LIMIT}:${LIMIT}`]);
  const fast = fastHttpProbe(); // first use here: the budget is read from the lowered limit
  if (!fast) {
    if (inCI()) t.fail(`CI=true and the native probe is unavailable: ${nativeAddonUnavailable()}`);
    else t.skip(`SKIPPED: ${nativeAddonUnavailable()}`, () => {});
    return;
  }
  // the server in a child process, with its own limit: it holds every connection and says nothing
  const server = spawn(process.execPath, ['-e', `const s = require('net').createServer({ allowHalfOpen: true }, (c) => c.on('error', () => {}));
    s.listen({ port: 0, host: '${IP}', backlog: 2048 }, () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => { server.kill('SIGKILL'); });
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    server.once('exit', (code) => reject(new Error(`server exited ${String(code)}`)));
  });

  const request = buildRequest('www.example.test', '/health');
  const signals = Array.from({ length: LIMIT }, () => new CheckAbort());
  const settled: string[] = [];
  const all = signals.map((signal) => fast.status(IP, port, request, signal).then((r) => { settled.push(r.ok ? `HTTP ${r.status}` : r.reason); }));
  await sleep(300);
  const budget = LIMIT - LIMIT / 10; // the reserve: a tenth of the limit, 64 to 1,024
  t.equal(settled.length, LIMIT - budget, `${LIMIT - budget} of ${LIMIT} checks were refused at once, ${budget} are waiting for the server`);
  t.ok(settled.every((r) => new RegExp(`^connect: not started, EMFILE avoided: ${budget} checks hold a descriptor`).test(r)), `each refusal says why (${settled[0]})`);
  t.equal(verdictOf({ up: false, reason: settled[0] ?? '', ms: 0 }).noVerdict, true, 'a refused check is no verdict: the server keeps its state');

  const open = readdirSync('/proc/self/fd').length;
  t.ok(open < LIMIT - 20, `${open} descriptors open of ${LIMIT}: the checks left room`);
  const files: number[] = [];
  try {
    for (let i = 0; i < 20; i++) files.push(openSync('/dev/null', 'r'));
  } finally {
    for (const f of files) closeSync(f);
  }
  t.equal(files.length, 20, 'with every check slot taken, files still open');
  const reached = await new Promise<boolean>((resolve) => {
    const c = connect(port, IP, () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
  t.ok(reached, 'and a TCP connection (a BGP peer, the API, etcd) still opens');

  for (const s of signals) s.abort();
  await Promise.all(all);
  await sleep(200); // the closed probes' handles are released on the next turns of the loop
  const again = new CheckAbort();
  const next = fast.status(IP, port, request, again);
  const early = await Promise.race([next.then(() => 'settled'), sleep(200).then(() => 'waiting')]);
  t.equal(early, 'waiting', 'once the checks are closed, a new one starts again (the count went back down)');
  again.abort();
  await next;
});
