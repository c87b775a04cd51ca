// Runs INSIDE the IPVS guest, imported lazily by guest-scenarios.ts: issue 16 §3 and §6, checks
// through the data path on a real director. The guest's root namespace is the director, as in
// production: the VIP on its loopback and a real IPVS service for it. Three realservers in network
// namespaces, each with a listener on 0.0.0.0:port: A has the VIP on lo (direct routing ready),
// B has no VIP (the seed's black hole), C has the VIP on an ipip device (IPIP ready). `tcp.via-vip`
// must tell them apart before any client traffic, where the plain TCP check calls all three up.
import { checkWithTimeout, createMonitor, type CheckResult, type Monitor } from '../../../src/health/index.js';
import { systemClock } from '../../../src/time/clock.js';
import { sh } from '../proc.js';
import { createRealserver, type Realserver } from '../realserver-netns.js';
import type { GuestTools, StepResult } from './guest-daemon.js';

const VIP = '10.255.6.1';
const PORT = 8080;

const monitor = (forwarding: 'dr' | 'tun' | null): Monitor => {
  const m = createMonitor('TCP', { timeout: 2, 'via-vip': forwarding ? 'yes' : 'no' }, { service: { vip: VIP, forwarding: forwarding ?? 'dr' } });
  if (!m.ok) throw new Error(m.error);
  return m.value;
};
const check = (m: Monitor, rs: Realserver): Promise<CheckResult> => checkWithTimeout(m, { host: rs.net.name, ip: rs.ip, port: PORT }, systemClock);

/** '' when up/down is as expected (and the reason matches), else what was wrong. */
function expect(what: string, r: CheckResult, up: boolean, reason: string): string {
  return r.up === up && r.reason.includes(reason) ? '' : `${what}: expected ${up ? 'up' : 'down'} with '${reason}', got ${r.up ? 'up' : 'down'}: ${r.reason}\n`;
}

export async function datapathScenario(tools: GuestTools): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const step = async (name: string, body: () => Promise<string>): Promise<void> => {
    const t0 = Date.now();
    try {
      const problem = await body();
      results.push({ name, ok: problem === '', detail: problem || `ok in ${Date.now() - t0} ms` });
    } catch (e) {
      results.push({ name, ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
  const servers: Realserver[] = [];
  try {
    await sh('modprobe', ['ipip']);
    await sh('ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
    const a = await createRealserver({ vip: VIP, vipOn: 'lo', port: PORT });
    servers.push(a);
    const b = await createRealserver({ vip: VIP, vipOn: 'none', port: PORT });
    servers.push(b);
    const c = await createRealserver({ vip: VIP, vipOn: 'tunnel', port: PORT });
    servers.push(c);
    await tools.byHand('-C', `-A -t ${VIP}:${PORT} -s wlc`, `-a -t ${VIP}:${PORT} -r ${a.ip}:${PORT} -g -w 10`,
      `-a -t ${VIP}:${PORT} -r ${b.ip}:${PORT} -g -w 10`);

    await step('datapath: the plain TCP check calls all three realservers up (their own addresses)', async () => {
      let out = '';
      for (const rs of [a, b, c]) out += expect(rs.net.name, await check(monitor(null), rs), true, 'connected');
      return out;
    });
    await step('datapath: direct routing with an IPVS director holding the VIP: up with the VIP on lo, down without', async () =>
      expect('A (VIP on lo)', await check(monitor('dr'), a), true, `SYN-ACK from ${VIP}:${PORT}`)
      + expect('B (no VIP)', await check(monitor('dr'), b), false, `tcp.via-vip: no reply from ${VIP}:${PORT} through server ${b.net.name}`)
      + tools.same((await tools.saved()).filter((l) => l.startsWith('-a')).length, 2));
    await step('datapath: IPIP: up through an ipip tunnel holding the VIP, down with the VIP on lo but no tunnel', async () =>
      expect('C (tunnel)', await check(monitor('tun'), c), true, `SYN-ACK from ${VIP}:${PORT} through server ${c.net.name} (${c.ip}) by IPIP`)
      + expect('A (no tunnel)', await check(monitor('tun'), a), false, `tcp.via-vip: no reply from ${VIP}:${PORT} through server ${a.net.name}`));
  } catch (e) {
    results.push({ name: 'datapath: setup', ok: false, detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  } finally {
    for (const s of servers) await s.destroy();
    await sh('ip', ['addr', 'del', `${VIP}/32`, 'dev', 'lo']).catch(() => undefined);
    await tools.byHand('-C').catch(() => undefined);
  }
  return results;
}
