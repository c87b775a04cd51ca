// Issue 12 §1: a pybal.conf in the shape Wikimedia's puppet template renders (TCP and UDP, IPIP
// and not, etcd and http pools) passes `vipd check-config` clean, and `vipd ipvs plan` gives the
// exact IPVS batch PyBal's IPIP services need. Runs the built CLI; the http pools come from a
// real HTTP server on 127.0.0.1 (the etcd pools are only checked, never read).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderPybalConf, type PuppetInput, type PuppetService } from '../support/puppet-pybal.js';

const SERVICES: PuppetService[] = [
  {
    name: 'text', port: 443, description: 'Main wiki platform LVS service, text (HTTPS)', ip: { textlb: '10.255.10.1' },
    lvs: {
      class: 'high-traffic1', scheduler: 'mh', ipipEncapsulation: ['eqiad', 'codfw'], conftool: { cluster: 'cache_text', service: 'cdn' },
      depoolThreshold: 0.5,
      monitors: {
        ProxyFetch: { url: ['https://en.wikipedia.org/wiki/Special:BlankPage'] },
        IdleConnection: { 'timeout-clean-reconnect': 3, 'max-delay': 300 },
      },
    },
  },
  {
    name: 'upload', port: 443, description: 'Upload (IPv6)', ip: { uploadlb6: 'fd00:255::10' },
    lvs: {
      class: 'high-traffic2', ipipEncapsulation: ['eqiad'], conftool: { cluster: 'cache_upload', service: 'cdn' }, depoolThreshold: '.5',
      // RunCommand without arguments: PyBal runs the command with none
      monitors: { RunCommand: { command: '/bin/true', interval: 60, timeout: 10 } },
    },
  },
  {
    name: 'dns_rec', port: 53, description: 'Recursive DNS', ip: { default: '10.255.10.53' },
    lvs: {
      class: 'high-traffic2', protocol: 'udp', scheduler: 'sh', conftool: { cluster: 'dnsbox', service: 'recdns' },
      depoolThreshold: 0.5, monitors: { DNSQuery: { hostnames: ['a.test', 'b.test'], 'fail-on-nxdomain': false } },
    },
  },
  {
    name: 'apaches', port: 80, description: 'Main MediaWiki application server cluster', ip: { default: '10.255.10.80' },
    lvs: {
      class: 'low-traffic', conftool: { cluster: 'appserver', service: 'apache2' }, bgp: false, depoolThreshold: 0.9,
      monitors: {
        ProxyFetch: { url: ['http://en.wikipedia.org/wiki/Special:BlankPage'], http_status: 200, check_all: true },
        IdleConnection: { 'timeout-clean-reconnect': 3, 'max-delay': 300 },
        RunCommand: { command: '/bin/sh', arguments: ['-c', 'exit 0'], 'log-output': false },
      },
    },
  },
];

const POOLS: Record<string, string> = {
  text: "{ 'host': '10.255.20.1', 'weight': 10, 'enabled': True }\n{ 'host': '10.255.20.2', 'weight': 10, 'enabled': True }\n"
    + "{ 'host': '10.255.20.3', 'weight': 10, 'enabled': False }\n",
  upload: "{ 'host': 'fd00:255::21:1', 'weight': 10, 'enabled': True }\n",
  dns_rec: "{ 'host': '10.255.21.1', 'weight': 1, 'enabled': True }\n",
  apaches: "{ 'host': '10.255.22.1', 'weight': 20, 'enabled': True }\n{ 'host': '10.255.22.2', 'weight': 30, 'enabled': True }\n",
};

const input = (config: 'etcd' | 'http', configHost: string, instrumentationIps = "[ '127.0.0.1', '::1' ]"): PuppetInput => ({
  site: 'eqiad', config, configHost, ipipEnabled: true, services: SERVICES,
  global: {
    bgp: 'yes', 'bgp-peer-address': "[ '10.255.0.2' ]", 'bgp-nexthop-ipv4': '10.255.0.1', 'bgp-nexthop-ipv6': 'fd00:255::1',
    instrumentation: 'yes', instrumentation_ips: instrumentationIps, advertised_instrumentation_ips: ['10.255.10.100'],
    'bgp-local-ips': "[ '10.255.0.1' ]", 'bgp-med': 0,
  },
});

function vipd(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', ['dist/cli/main.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

const FIXTURE = 'test/fixtures/config/pybal-puppet.conf';

t.test(`${FIXTURE} is the renderer's output (regenerate: UPDATE_FIXTURE=1)`, async (t) => {
  const text = renderPybalConf(input('etcd', 'conf1001.eqiad.wmnet:4001'));
  if (process.env.UPDATE_FIXTURE) writeFileSync(FIXTURE, text);
  t.equal(readFileSync(FIXTURE, 'utf8'), text);
});

t.test('check-config: the etcd and the http rendering are clean', async (t) => {
  const dir = t.testdir();
  for (const source of ['etcd', 'http'] as const) {
    const f = join(dir, `pybal-${source}.conf`);
    writeFileSync(f, renderPybalConf(input(source, source === 'etcd' ? 'conf1001.eqiad.wmnet:4001' : 'config-master.eqiad.wmnet')));
    const r = await vipd('check-config', '-c', f);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.stderr, `${f}: OK, 4 services, 1 BGP peer(s), 0 warning(s)\n`, `${source}: no error, no warning`);
  }
  // profile::pybal also lists the host's address: that exposes the API, vipd's one deliberate warning
  const f = join(dir, 'pybal-host-ip.conf');
  writeFileSync(f, renderPybalConf(input('etcd', 'conf1001.eqiad.wmnet', "[ '127.0.0.1', '::1', '10.255.0.1' ]")));
  const r = await vipd('check-config', '-c', f);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /^warning: .*:12: \[global\] instrumentation_ips: 10\.255\.0\.1 is not a loopback address/);
  t.match(r.stderr, /OK, 4 services, 1 BGP peer\(s\), 1 warning\(s\)\n$/);
});

t.test('ipvs plan: the exact batch (IPIP -i for tunneling = true, mh, udp), then nothing once applied', async (t) => {
  const server = createServer((req, res) => {
    const m = /^\/pybal\/eqiad\/(\w+)$/.exec(req.url ?? '');
    const body = m ? POOLS[m[1]!] : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = t.testdir();
  const conf = join(dir, 'pybal.conf');
  writeFileSync(conf, renderPybalConf(input('http', host)));
  const empty = join(dir, 'empty.sn');
  writeFileSync(empty, '');
  const expected = [
    '-A -t 10.255.10.80:80 -s wrr',
    '-a -t 10.255.10.80:80 -r 10.255.22.1:80 -g -w 20',
    '-a -t 10.255.10.80:80 -r 10.255.22.2:80 -g -w 30',
    '-A -u 10.255.10.53:53 -s sh',
    '-a -u 10.255.10.53:53 -r 10.255.21.1:53 -g -w 1',
    '-A -t 10.255.10.1:443 -s mh',
    // mh: added last-first, so the kernel's list (each add goes to its head) is in canonical order (docs/routers.md)
    '-a -t 10.255.10.1:443 -r 10.255.20.2:443 -i -w 10',
    '-a -t 10.255.10.1:443 -r 10.255.20.1:443 -i -w 10',
    '-A -t [fd00:255::10]:443 -s wrr',
    '-a -t [fd00:255::10]:443 -r [fd00:255::21:1]:443 -i -w 10',
  ];
  const r = await vipd('ipvs', 'plan', '-c', conf, '--table', empty, '--all-up');
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, expected.join('\n') + '\n');
  t.match(r.stderr, '10 change(s)');
  // the table as the kernel prints it back (`ipvsadm -Sn`: tunnelled servers with --tun-type ipip)
  const now = join(dir, 'now.sn');
  // (ipvsadm -S sorts each service's servers by address: here text order is that order)
  const printed = expected.flatMap((l, i) => (l.startsWith('-A') ? [l, ...expected.slice(i + 1).filter((x, j, xs) => x.startsWith('-a')
    && xs.slice(0, j).every((y) => y.startsWith('-a'))).sort()] : []));
  writeFileSync(now, printed.map((l) => (l.includes(' -i ') ? `${l} --tun-type ipip` : l)).join('\n') + '\n');
  const again = await vipd('ipvs', 'plan', '-c', conf, '--table', now, '--all-up');
  t.equal(again.status, 0, again.stderr);
  t.equal(again.stdout, '', 'a steady table plans no change');
  t.match(again.stderr, '0 change(s)');
});
