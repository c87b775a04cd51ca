import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

// Runs the built CLI (npm test builds dist/ first). The kernel path of the same code runs in
// the QEMU guest (test/integration/ipvs-kernel.test.ts); here the table comes from --table.
const dir = mkdtempSync(join(tmpdir(), 'vipd-ipvs-plan-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'web-pool'), "{ 'host': '10.255.1.10', 'weight': 5, 'enabled': True }\n"
  + "{ 'host': '10.255.1.11', 'weight': 0, 'enabled': True }\n{ 'host': '10.255.1.12', 'weight': 10, 'enabled': False }\n");
writeFileSync(join(dir, 'dns.json'), '{ "fd00:255::53": { "enabled": true, "weight": 1 } }\n');
const conf = join(dir, 'pybal.conf');
writeFileSync(conf, `[global]\nbgp = no\n\n[web]\nprotocol = tcp\nip = 10.255.1.1\nport = 80\nscheduler = wrr\n`
  + `config = file://${dir}/web-pool\nmonitors = [ "IdleConnection" ]\n\n[dns]\nprotocol = udp\nip = fd00:255::1\nport = 53\n`
  + `scheduler = sh\nops = yes\nconfig = file://${dir}/dns.json\nmonitors = [ "IdleConnection" ]\n`);
const table = join(dir, 'now.sn');
writeFileSync(table, '-A -t 10.255.1.1:80 -s wrr\n-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 10\n'
  + '-a -t 10.255.1.1:80 -r 10.255.1.12:80 -g -w 10\n-A -t 10.255.9.9:80 -s rr\n-a -t 10.255.9.9:80 -r 10.255.9.10:80 -g -w 1\n');

const vipd = (...args: string[]) => spawnSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8', timeout: 30_000 });

t.test('without --all-up: config-driven changes only, foreign services untouched', async (t) => {
  const r = vipd('ipvs', 'plan', '-c', conf, '--table', table);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '-e -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 5 -x 0 -y 0\n-d -t 10.255.1.1:80 -r 10.255.1.12:80\n-A -u [fd00:255::1]:53 -s sh -o\n');
  t.match(r.stderr, /1 service\(s\) in the table are not in the configuration: left alone/);
});

t.test('--all-up pools every enabled server, weight 0 stays 0', async (t) => {
  const r = vipd('ipvs', 'plan', '-c', conf, '--table', table, '--all-up');
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '-a -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 0\n-e -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 5 -x 0 -y 0\n'
    + '-d -t 10.255.1.1:80 -r 10.255.1.12:80\n-A -u [fd00:255::1]:53 -s sh -o\n-a -u [fd00:255::1]:53 -r [fd00:255::53]:53 -g -w 1\n');
});

t.test('errors name the file and line', async (t) => {
  const bad = join(dir, 'bad.sn');
  writeFileSync(bad, '-A -t 10.255.1.1:80 -s wrr\n-a -t 10.255.1.1:80 -r nowhere -g\n');
  const r = vipd('ipvs', 'plan', '-c', conf, '--table', bad);
  t.not(r.status, 0);
  t.match(r.stderr, `${bad} line 2: 'nowhere' is not address:port`);
  const r2 = vipd('ipvs', 'plan', '-c', join(dir, 'missing.conf'), '--table', table);
  t.not(r2.status, 0);
  t.match(r2.stderr, /missing\.conf.*no such file/);
});

t.test('without -c: the same default config as `vipd run`', async (t) => {
  const { defaultConfig } = await import('./run.js');
  const r = vipd('ipvs', 'plan', '--table', table);
  t.not(r.status, 0, 'no config in /etc on a test host');
  t.match(r.stderr, `${defaultConfig()}: cannot read config`);
  if (defaultConfig() !== '/etc/vipd/vipd.conf') t.comment('this host has /etc/pybal/pybal.conf only');
  else t.notMatch(r.stderr, '/etc/pybal/pybal.conf', 'vipd run names /etc/vipd/vipd.conf first');
});

t.test('a host without ip_vs: the kernel table is read as empty, and the plan says so', async (t) => {
  if (existsSync('/proc/net/ip_vs')) {
    t.comment('this kernel has ip_vs loaded (ipvs-table.test.ts covers the rule; ipvs-kernel.test.ts the kernel)');
    return;
  }
  const r = vipd('ipvs', 'plan', '-c', conf, '--all-up');
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '-A -t 10.255.1.1:80 -s wrr\n-a -t 10.255.1.1:80 -r 10.255.1.10:80 -g -w 5\n-a -t 10.255.1.1:80 -r 10.255.1.11:80 -g -w 0\n'
    + '-A -u [fd00:255::1]:53 -s sh -o\n-a -u [fd00:255::1]:53 -r [fd00:255::53]:53 -g -w 1\n');
  t.match(r.stderr, 'note: no ip_vs in this kernel (/proc/net/ip_vs is absent): planned against an empty IPVS table');
});
