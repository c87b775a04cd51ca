import t from 'tap';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createMonitor, checkWithTimeout, type CheckResult, type MonitorOptions } from '../../src/health/index.js';
import { systemClock } from '../../src/time/clock.js';
import { requireTool } from '../support/require-tool.js';
import { freeUdpPort, startDnsmasq } from '../lab/dnsmasq.js';

// dnsmasq answers for a test zone; a dead upstream and a SERVFAIL-answering upstream sit behind it.
const NET = `127.44.${process.pid % 250}`;
const DNS_IP = `${NET}.53`;
const UPSTREAM_IP = `${NET}.54`;
const DEAD_IP = `${NET}.55`;


async function servfailUpstream(): Promise<number> {
  const s = createSocket('udp4');
  s.on('message', (m, from) => {
    const b = Buffer.from(m);
    b[2] = (b[2]! | 0x80) & 0xff; // QR
    b[3] = (b[3]! & 0xf0) | 2; // RCODE SERVFAIL (RFC 1035 §4.1.1)
    s.send(b, from.port, from.address);
  });
  await new Promise<void>((r) => s.bind(0, UPSTREAM_IP, () => r()));
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as AddressInfo).port;
}

async function startLocalDnsmasq(bin: string): Promise<number> {
  const upstream = await servfailUpstream();
  const dead = await freeUdpPort(DEAD_IP);
  return startDnsmasq(t, bin, DNS_IP, [`--server=/servfail.test/${UPSTREAM_IP}#${upstream}`, `--server=/dead.test/${DEAD_IP}#${dead}`]);
}

const bin = requireTool(t,
  'dnsmasq', 'the real DNS server for DNSQuery');

if (bin) {
  const port = await startLocalDnsmasq(bin);
  const probe = (options: MonitorOptions, random = 0): Promise<CheckResult> => {
    const m = createMonitor('DNSQuery', { port, timeout: 1, ...options }, { random: () => random });
    if (!m.ok) throw new Error(m.error);
    return checkWithTimeout(m.value, { host: 'dns1', ip: DNS_IP, port: 53 }, systemClock);
  };

  t.test('an answer is up, for A and for AAAA', async (t) => {
    const a = await probe({ hostnames: 'www.example.test' }, 0);
    t.equal(a.up, true, a.reason);
    t.match(a.reason, /www\.example\.test A: NOERROR, 1 answer/);
    const aaaa = await probe({ hostnames: ['www.example.test'] }, 0.99);
    t.equal(aaaa.up, true, aaaa.reason);
    t.match(aaaa.reason, /AAAA: NOERROR, 1 answer/);
  });

  t.test('NXDOMAIN is up unless fail-on-nxdomain', async (t) => {
    const nx = await probe({ hostnames: 'missing.example.test' });
    t.equal(nx.up, true, nx.reason);
    t.match(nx.reason, /NXDOMAIN/);
    const strict = await probe({ hostnames: 'missing.example.test', 'fail-on-nxdomain': 'yes' });
    t.equal(strict.up, false);
    t.match(strict.reason, /NXDOMAIN/);
  });

  t.test('SERVFAIL and REFUSED are down', async (t) => {
    const sf = await probe({ hostnames: 'x.servfail.test' });
    t.equal(sf.up, false);
    t.match(sf.reason, /SERVFAIL/);
    const refused = await probe({ hostnames: 'www.example.org' });
    t.equal(refused.up, false);
    t.match(refused.reason, /REFUSED/);
  });

  t.test('no answer within the timeout is down', async (t) => {
    const r = await probe({ hostnames: 'x.dead.test', timeout: 0.5 });
    t.equal(r.up, false);
    t.match(r.reason, /timeout/);
  });

  t.test('a port with no DNS server is down', async (t) => {
    const m = createMonitor('DNSQuery', { hostnames: 'www.example.test', port: await freeUdpPort(DNS_IP), timeout: 1 });
    if (!m.ok) throw new Error(m.error);
    const r = await checkWithTimeout(m.value, { host: 'dns1', ip: DNS_IP, port: 53 }, systemClock);
    t.equal(r.up, false);
    t.match(r.reason, /ECONNREFUSED/);
  });
}
