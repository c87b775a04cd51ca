import t from 'tap';
import { join } from 'node:path';
import { tempDir, Vipd, writeFile } from './e2e-helpers.js';

// `vipd run` on a config it cannot use: every problem named with file:line, exit 1, nothing started.
t.test('vipd run refuses an unusable config with located errors and exit 1', async (t) => {
  const dir = tempDir(t);
  const cfg = join(dir, 'bad.conf');
  writeFile(cfg, `[global]
bgp = no

[web]
protocol = tcp
ip = 10.2.1.1
port = 80
scheduler = bogus
config = file://${dir}/pool
monitors = [ "NoSuchMonitor" ]
`);
  const vipd = new Vipd(cfg, '');
  t.teardown(() => vipd.stop());
  t.equal(await vipd.exited, 1);
  const err = vipd.stderr.join('');
  t.match(err, `vipd: ${cfg}: configuration not usable:`);
  t.match(err, new RegExp(`${cfg.replace(/[.]/g, '\\.')}:8: .*scheduler`));
  const missing = new Vipd(join(dir, 'missing.conf'), '');
  t.equal(await missing.exited, 1);
  t.match(missing.stderr.join(''), /missing\.conf: cannot read config: no such file/);
});
