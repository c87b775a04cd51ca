import t from 'tap';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const vipd = (...args: string[]) => spawnSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8' });

/** A valid pool file in dir (check-config reads the file:// pools by default); returns its file:// URL. */
function goodPool(dir: string): string {
  writeFileSync(join(dir, 'web.pool'), "{ 'host': 'mw1', 'weight': 10, 'enabled': True }\n");
  return `file://${join(dir, 'web.pool')}`;
}

t.test('a valid config exits 0 and prints its warnings', async (t) => {
  const dir = t.testdir();
  const f = join(dir, 'pybal.conf');
  writeFileSync(f, `[web]\nprotocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = ${goodPool(dir)}\nmonitors = [ 'IdleConnection' ]\ndepool-treshold = .5\n`);
  const r = vipd('check-config', '-c', f);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, `warning: ${f}:8: [web] unknown key 'depool-treshold' (did you mean 'depool-threshold'?)`);
  t.match(r.stderr, `${f}: OK, 1 service, 0 BGP peer(s), 1 warning(s)`);
  const p = vipd('check-config', '--config', f, '--print');
  t.match(p.stdout, /^\[global\]\nbgp = no\n/);
  t.match(p.stdout, /\n\[web\]\nprotocol = tcp\nip = 10\.2\.0\.1\n/);
});

t.test('an invalid config exits 1 listing every error', async (t) => {
  const dir = t.testdir();
  const f = join(dir, 'bad.conf');
  writeFileSync(f, `[global]\nbgp = yes\n[web]\nprotocol = tcp\nip = 10.2.0.1\nport = eighty\nscheduler = wrr\nconfig = ${goodPool(dir)}\nmonitors = [ 'IdleConnection'\n`);
  const r = vipd('check-config', '-c', f);
  t.equal(r.status, 1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  t.same(errors, [
    `error: ${f}:1: [global] missing required key 'bgp-local-asn'`,
    `error: ${f}:1: [global] bgp = yes but no peer: set bgp-peer-address`,
    `error: ${f}:6: [web] port must be an integer, got 'eighty'`,
    `error: ${f}:9:30: [web] monitors: missing ']'`,
  ]);
  t.match(r.stderr, `${f}: 4 error(s)`);
});

t.test('a missing file is an error, not an empty config', async (t) => {
  const r = vipd('check-config', '-c', '/nonexistent/pybal.conf');
  t.equal(r.status, 1);
  t.match(r.stderr, 'error: /nonexistent/pybal.conf: cannot read config: no such file');
});

t.test('the file:// pools are checked by default, located in the pool files; --no-pools skips them', async (t) => {
  const dir = t.testdir();
  const pool = join(dir, 'web-servers');
  writeFileSync(pool, "{ 'host': 'mw1', 'weight': 10, 'enabled': True }\n{ 'host': 'mw2', 'weight': '10', 'enabled': True }\n{ 'host': 'mw3' }\n");
  const f = join(dir, 'pybal.conf');
  writeFileSync(f, `[web]\nprotocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = file://${pool}\nmonitors = [ 'IdleConnection' ]\n[gone]\nprotocol = tcp\nip = 10.2.0.2\nport = 80\nscheduler = wrr\nconfig = file://${dir}/nope\nmonitors = [ 'IdleConnection' ]\n`);
  const skipped = vipd('check-config', '-c', f, '--no-pools');
  t.equal(skipped.status, 0, '--no-pools: the pools are not read');
  t.notMatch(skipped.stderr, pool);
  const r = vipd('check-config', '-c', f);
  t.equal(r.status, 1);
  t.match(r.stderr, `error: ${pool}:2: mw2: weight must be an integer, got '10'`);
  t.match(r.stderr, `warning: ${pool}:3: mw3: no 'weight', using 10`);
  t.match(r.stderr, `error: ${f}:8: [gone] cannot read pool ${dir}/nope`);
  t.equal(vipd('check-config', '-c', f, '--pools').status, 1, '--pools is still accepted');
});

t.test('instrumentation_ips exposing the API beyond loopback is a warning', async (t) => {
  const dir = t.testdir();
  const f = join(dir, 'pybal.conf');
  writeFileSync(f, '[global]\ninstrumentation = yes\ninstrumentation_ips = [ "" ]\n'
    + `[web]\nprotocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = ${goodPool(dir)}\nmonitors = [ 'IdleConnection' ]\n`);
  const r = vipd('check-config', '-c', f);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, `warning: ${f}:3: [global] instrumentation_ips: '' listens on every interface: the unauthenticated API`);
  t.match(r.stderr, `${f}: OK, 1 service, 0 BGP peer(s), 1 warning(s)`);
  writeFileSync(f, '[global]\ninstrumentation = yes\ninstrumentation_ips = [ "127.0.0.1", "10.255.0.1" ]\n'
    + `[web]\nprotocol = tcp\nip = 10.2.0.1\nport = 80\nscheduler = wrr\nconfig = ${goodPool(dir)}\nmonitors = [ 'IdleConnection' ]\n`);
  t.match(vipd('check-config', '-c', f).stderr, `warning: ${f}:3: [global] instrumentation_ips: 10.255.0.1 is not a loopback address`);
});
