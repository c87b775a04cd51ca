// IdleConnection's TCP keepalive timers reach the kernel: a peer that vanishes without FIN or RST
// (its link cut inside a network namespace this test made) is noticed after keepalive-idle +
// keepalive-interval x keepalive-retries, not after the kernel's default 11 minutes.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithTimeout, createMonitor, type CheckResult } from '../../src/health/index.js';
import { nativeAddonUnavailable } from '../../src/health/monitors/native-addon.js';
import { systemClock } from '../../src/time/clock.js';
import { createNetns } from '../lab/netns.js';
import { inNetns, sh, sleep, startDaemon, waitFor } from '../lab/proc.js';
import { inCI, requireTool } from '../support/require-tool.js';

t.test('keepalive-idle, -interval and -retries detect a silently dead peer', async (t) => {
  if (!requireTool(t, 'ip')) return;
  const noAddon = nativeAddonUnavailable();
  if (noAddon) {
    if (inCI()) t.fail(`CI=true and the native addon is unavailable: ${noAddon}`);
    else t.skip(`SKIPPED: ${noAddon}`, () => {});
    return;
  }
  const ns = await createNetns();
  t.teardown(() => ns.destroy());
  const dir = mkdtempSync(join(tmpdir(), 'vipd-keepalive-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = 20000 + (process.pid % 10000);
  const [cmd, args] = inNetns(ns.name, process.execPath, ['-e', `require('net').createServer(() => {}).listen(${port}, '${ns.nsIp}')`]);
  const server = startDaemon(cmd, args, join(dir, 'server.log'));
  t.teardown(() => server.stop());
  await waitFor('the server in the namespace', 10_000, () => new Promise<boolean>((resolve) => {
    const s = connect({ host: ns.nsIp, port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  }));

  const made = createMonitor('IdleConnection', {
    'keepalive-idle': 1, 'keepalive-interval': 1, 'keepalive-retries': 2, timeout: 2, 'max-delay': 60,
  });
  if (!made.ok) throw new Error(made.error);
  const idle = made.value;
  const target = { host: 'peer', ip: ns.nsIp, port };
  t.teardown(() => idle.forget?.(target));
  const up = await checkWithTimeout(idle, target, systemClock);
  t.equal(up.up, true, up.reason);

  await sh('ip', ['-n', ns.name, 'link', 'set', ns.nsIf, 'down']); // no FIN, no RST: the peer is just gone
  const cut = performance.now();
  let last: CheckResult = up;
  for (let i = 0; i < 50 && last.up; i++) {
    await sleep(200);
    last = await checkWithTimeout(idle, target, systemClock);
  }
  const took = performance.now() - cut;
  t.equal(last.up, false, `down within the 10 s bound (after ${took.toFixed(0)} ms)`);
  t.match(last.reason, /lost uncleanly: .*ETIMEDOUT/, 'by the keepalive timeout');
});
