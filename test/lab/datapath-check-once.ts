// One `tcp.via-vip` check, run as a separate process so a test can start it without a capability
// (capsh --drop=cap_net_raw). Usage: node datapath-check-once.js VIP FORWARDING HOST IP PORT → one JSON line.
import { checkWithTimeout, createMonitor } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';

const [vip, forwarding, host, ip, port] = process.argv.slice(2);
const m = createMonitor('TCP', { timeout: 1, 'via-vip': 'yes' }, { service: { vip: vip!, forwarding: forwarding as 'dr' | 'tun' } });
if (!m.ok) { console.log(JSON.stringify({ error: m.error })); process.exit(2); }
const r = await checkWithTimeout(m.value, { host: host!, ip: ip!, port: Number(port) }, systemClock);
console.log(JSON.stringify(r));
