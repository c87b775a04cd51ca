// `npm run deb` (scripts/build-deb.mjs): the package is built with dpkg-deb, unpacked into an
// empty root, and run there by chroot. The root holds the package's files and, bind-mounted
// read-only from this host, only what its Depends stand for: the system's node (nodejs), the
// shared libraries node and the addon link against (libc6 and friends), /bin/sh. No node_modules
// and no vipd from this checkout is visible, so what runs is the package's own files.
import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { needTools } from '../lab/need-tools.js';
import { findTool } from '../support/require-tool.js';
import { tempDir } from './e2e-helpers.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** The host paths the chroot needs: node, /bin/sh, and the folders of the libraries they load. */
function hostBinds(): string[] {
  const node = realpathSync(process.execPath);
  const sh = realpathSync('/bin/sh');
  const libDirs = new Set<string>();
  for (const bin of [node, sh]) {
    for (const m of execFileSync('ldd', [bin], { encoding: 'utf8' }).matchAll(/(\/\S+\.so[.\d]*)/g)) libDirs.add(dirname(m[1]!));
  }
  return [...libDirs];
}

/** Runs argv inside root by chroot, in a private mount namespace holding the read-only binds. */
function inRoot(root: string, argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const binds: [string, string][] = [
    [realpathSync(process.execPath), '/usr/bin/node'],
    [realpathSync('/bin/sh'), '/bin/sh'],
    ...hostBinds().map((d): [string, string] => [d, d]),
    ['/proc', '/proc'],
    ['/dev', '/dev'],
  ];
  for (const [from, to] of binds) {
    const at = join(root, to);
    if (existsSync(at)) continue;
    if (statSync(from).isDirectory()) mkdirSync(at, { recursive: true });
    else { mkdirSync(dirname(at), { recursive: true }); writeFileSync(at, ''); }
  }
  const script = ['set -e', ...binds.map(([from, to]) => `mount --bind -o ro '${from}' '${join(root, to)}'`),
    `exec env -i PATH=/usr/bin:/bin '${findTool('chroot')}' '${root}' "$@"`].join('\n');
  const user = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
  const r = spawnSync('unshare', [...user, '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', script, 'sh', ...argv],
    { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr + (r.error ? String(r.error) : '') };
}

let deb = '';
const dir = tempDir(t); // the package, for both tests

t.test('npm run deb: a .deb that installs into a clean root and runs from its own files', async (t) => {
  if (!needTools(t, 'dpkg-deb', 'dpkg-shlibdeps', 'unshare', 'chroot', 'ldd')) return;
  // npm test has built dist/ and the native addon; --prebuilt packages them as they are.
  const built = spawnSync(process.execPath, ['scripts/build-deb.mjs', '--prebuilt', '--out', dir], { encoding: 'utf8', timeout: 120_000 });
  t.equal(built.status, 0, built.stderr);
  deb = built.stdout.trim();
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  t.equal(deb, join(dir, `vipd_${pkg.version}-1_${arch}.deb`));

  const field = (f: string) => execFileSync('dpkg-deb', ['-f', deb, f], { encoding: 'utf8' }).trim();
  t.equal(field('Architecture'), arch, 'the native addon makes it architecture-specific');
  t.match(field('Depends'), /^nodejs \(>= 20\), libc6 \(>= [\d.]+\), ipvsadm, iproute2, kmod, adduser$/);
  t.equal(execFileSync('dpkg-deb', ['-I', deb, 'conffiles'], { encoding: 'utf8' }), '/etc/vipd/vipd.conf\n');
  const list = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const entries = new Set(list.split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter(Boolean));
  for (const e of ['./usr/bin/vipd', './lib/systemd/system/vipd.service', './etc/vipd/vipd.conf', './var/lib/vipd/',
    './usr/lib/vipd/native/build/Release/vipd_native.node', './usr/lib/vipd/node_modules/yargs/package.json',
    './usr/lib/vipd/node_modules/execa/package.json', './usr/share/doc/vipd/copyright']) t.ok(entries.has(e), e);
  const dev = [...entries].filter((e) => /\/node_modules\/(tap|typescript|fast-check|@types)\/|\.test\.js$/.test(e));
  t.same(dev, [], 'dependencies only: no dev packages, no tests');
  t.match(list, /^-rwxr-xr-x root\/root .* \.\/usr\/bin\/vipd$/m);

  const root = join(dir, 'root');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  const ctl = join(dir, 'control');
  execFileSync('dpkg-deb', ['-e', deb, ctl]);
  for (const s of ['postinst', 'prerm', 'postrm']) t.equal(spawnSync('/bin/sh', ['-n', join(ctl, s)]).status, 0, `${s} is valid sh`);
  const unit = readFileSync(join(root, 'lib/systemd/system/vipd.service'), 'utf8');
  t.match(unit, /^ExecStart=\/usr\/bin\/vipd run -c \/etc\/vipd\/vipd\.conf$/m);
  t.match(unit, /^StateDirectory=vipd$/m, 'the unit may write /var/lib/vipd under ProtectSystem=strict');

  const version = inRoot(root, ['/usr/bin/vipd', '--version']);
  t.equal(version.status, 0, version.stderr);
  t.equal(version.stdout, `${pkg.version}\n`);
  const check = inRoot(root, ['/usr/bin/vipd', 'check-config']);
  t.equal(check.status, 0, check.stderr);
  t.match(check.stderr, '/etc/vipd/vipd.conf: OK, 0 services, 0 BGP peer(s), 0 warning(s)', 'the default config, read from /etc/vipd');
  const addon = inRoot(root, ['/usr/bin/node', '--input-type=module', '-e',
    "const m = await import('/usr/lib/vipd/dist/health/monitors/native-addon.js'); console.log(m.nativeAddon() ? 'loaded' : m.nativeAddonUnavailable());"]);
  t.equal(addon.stdout.trim(), 'loaded', `the packaged addon loads: ${addon.stderr}`);
  const run = inRoot(root, ['/usr/bin/vipd', 'run']);
  t.equal(run.status, 1, 'the placeholder config does not run: nothing touches IPVS or BGP until it is replaced');
  t.match(run.stderr, /no services and bgp = no/);
});

// The same package through dpkg itself, maintainer scripts included, on this host's system made
// disposable: /etc, /usr and /var are overlays in a private mount namespace (and the host's
// systemd, if any, is hidden), so the install, the user it creates and the purge vanish with it.
const DPKG_SCRIPT = `set -e
T=$1; DEB=$2
for d in etc usr var; do
  mkdir -p "$T/$d-up" "$T/$d-work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/$d-up,workdir=$T/$d-work" "/$d"
done
if [ -d /run/systemd ]; then mount -t tmpfs tmpfs /run/systemd; fi
dpkg -i "$DEB" >/dev/null
echo "version=$(vipd --version)"
echo "user=$(getent passwd vipd | cut -d: -f1,6,7)"
echo "state=$(stat -c '%U:%G %a' /var/lib/vipd)"
echo "conffile=$(dpkg-query -W -f='\${Conffiles}' vipd | awk '{print $1}')"
vipd check-config 2>&1 | sed 's/^/check: /'
touch /var/lib/vipd/kept
dpkg -r vipd >/dev/null
echo "removed: bin=$(test -e /usr/bin/vipd && echo yes || echo no) conf=$(test -e /etc/vipd/vipd.conf && echo yes || echo no) state=$(test -e /var/lib/vipd && echo yes || echo no)"
dpkg -P vipd >/dev/null
echo "purged: conf=$(test -e /etc/vipd/vipd.conf && echo yes || echo no) state=$(test -e /var/lib/vipd && echo yes || echo no)"
`;

t.test('dpkg -i, -r and -P run the maintainer scripts: the vipd user, /var/lib/vipd, the conffile', async (t) => {
  if (!deb) { t.fail('the package was not built'); return; }
  if (process.getuid?.() !== 0) { t.comment('skipped: needs root (overlay mounts over /etc, /usr, /var)'); return; }
  const nodejs = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'nodejs'], { encoding: 'utf8' });
  if (!/install ok installed/.test(nodejs.stdout)) { t.comment("skipped: this host's node is not the nodejs package, the package's dependency"); return; }
  const work = tempDir(t);
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', DPKG_SCRIPT, 'sh', work, deb],
    { encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, `version=${pkg.version}\n`);
  t.match(r.stdout, 'user=vipd:/var/lib/vipd:/usr/sbin/nologin\n', 'postinst: a system user');
  t.match(r.stdout, 'state=vipd:vipd 750\n', 'postinst: the state directory is the user\'s');
  t.match(r.stdout, 'conffile=/etc/vipd/vipd.conf\n');
  t.match(r.stdout, 'check: /etc/vipd/vipd.conf: OK, 0 services');
  t.match(r.stdout, 'removed: bin=no conf=yes state=yes\n', 'remove keeps the config and the state');
  t.match(r.stdout, 'purged: conf=no state=no\n', 'purge deletes both');
  t.equal(spawnSync('getent', ['passwd', 'vipd']).status, 2, 'the host itself has no vipd user: it was all in the overlay');
});
