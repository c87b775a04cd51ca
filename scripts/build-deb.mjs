#!/usr/bin/env node
// Builds vipd's Debian package with dpkg-deb: the compiled program and its production
// dependencies under /usr/lib/vipd, run by the system's node (`Depends: nodejs (>= 20)`) through
// /usr/bin/vipd; the native addon built on this host (its architecture is the package's); the
// systemd unit; /etc/vipd/vipd.conf as a conffile; /var/lib/vipd. Maintainer scripts and the
// default config are in packaging/deb/.
// Usage: node scripts/build-deb.mjs [--out DIR] [--prebuilt]
//   --prebuilt  package dist/ and native/build as they are (npm test has just built both);
//               without it, both are built first and the addon is required.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(root, 'build');
const prebuilt = args.includes('--prebuilt');
const PKG = join(root, 'packaging/deb');
const LIB = 'usr/lib/vipd';
const ADDON = 'native/build/Release/vipd_native.node';

function run(cmd, cmdArgs, opts = {}) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  return r.stdout;
}

function compile() {
  if (prebuilt) {
    for (const f of ['dist/cli/main.js', ADDON]) if (!existsSync(join(root, f))) throw new Error(`--prebuilt: ${f} is missing`);
    return;
  }
  rmSync(join(root, 'dist'), { recursive: true, force: true }); // no module left from an older build
  run('npx', ['tsc', '-p', 'tsconfig.build.json']);
  // The package carries the addon built here, for this architecture; a package without it would
  // run the slower ProxyFetch client on every balancer, so a failed build stops the package.
  run(process.execPath, [join(root, 'scripts/build-native.mjs')], { env: { ...process.env, VIPD_NATIVE_REQUIRED: '1' } });
}

/** Every production dependency, installed (hoisted or nested), copied without its own node_modules. */
function copyProductionModules(dest) {
  const paths = run('npm', ['ls', '--omit=dev', '--all', '--parseable']).split('\n').filter(Boolean);
  const top = paths[0];
  for (const p of paths.slice(1)) {
    const rel = relative(top, p);
    if (!rel.startsWith('node_modules')) throw new Error(`npm ls: ${p} is outside the project`);
    cpSync(p, join(dest, rel), { recursive: true, dereference: true, filter: (src) => !relative(p, src).startsWith('node_modules') });
  }
  return paths.length - 1;
}

function write(stage, path, text, mode = 0o644) {
  mkdirSync(dirname(join(stage, path)), { recursive: true });
  writeFileSync(join(stage, path), text);
  chmodSync(join(stage, path), mode);
}

function copy(stage, from, to, mode = 0o644) {
  mkdirSync(dirname(join(stage, to)), { recursive: true });
  copyFileSync(join(root, from), join(stage, to));
  chmodSync(join(stage, to), mode);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
}

/** `libc6 (>= …)` as the addon's symbols need it (dpkg-shlibdeps, from dpkg-dev). */
function addonShlibs(stage) {
  const work = mkdtempSync(join(tmpdir(), 'vipd-shlibs-'));
  try {
    mkdirSync(join(work, 'debian'));
    writeFileSync(join(work, 'debian/control'), 'Source: vipd\n\nPackage: vipd\nArchitecture: any\n');
    // (its one warning, "binaries … should already be installed", is about debian/ trees: not ours)
    const out = run('dpkg-shlibdeps', ['-O', '--warnings=0', '-e', join(stage, LIB, ADDON)], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    return /shlibs:Depends=(.*)/.exec(out)?.[1]?.trim() ?? 'libc6';
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function stagePackage(stage, pkg) {
  cpSync(join(root, 'dist'), join(stage, LIB, 'dist'), { recursive: true, filter: (src) => !/\.test\.js$/.test(src) });
  copy(stage, ADDON, join(LIB, ADDON));
  copy(stage, 'native/binding.gyp', join(LIB, 'native/binding.gyp')); // the marker the addon loader looks for
  const { name, version, description, license, type, engines, dependencies } = pkg;
  write(stage, join(LIB, 'package.json'), `${JSON.stringify({ name, version, description, license, type, engines, dependencies }, null, 2)}\n`);
  const modules = copyProductionModules(join(stage, LIB));
  write(stage, 'usr/bin/vipd', '#!/bin/sh\n# vipd from its Debian package: the program in /usr/lib/vipd, run by the system\'s node.\n'
    + `exec /usr/bin/node /${LIB}/dist/cli/main.js "$@"\n`, 0o755);
  copy(stage, 'conf/vipd.service', 'lib/systemd/system/vipd.service');
  copy(stage, 'packaging/deb/vipd.conf', 'etc/vipd/vipd.conf');
  mkdirSync(join(stage, 'var/lib/vipd'), { recursive: true });
  copy(stage, 'packaging/deb/copyright', 'usr/share/doc/vipd/copyright');
  copy(stage, 'README.md', 'usr/share/doc/vipd/README.md');
  for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) copy(stage, `docs/${f}`, `usr/share/doc/vipd/docs/${f}`);
  for (const f of ['pybal.conf', 'vipd.conf']) copy(stage, `conf/${f}`, `usr/share/doc/vipd/examples/${f}`);
  return modules;
}

function control(stage, pkg, arch) {
  const conffiles = ['/etc/vipd/vipd.conf'];
  const files = filesUnder(stage);
  const size = Math.ceil(files.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  write(stage, 'DEBIAN/control', [
    'Package: vipd',
    `Version: ${pkg.version}-1`,
    `Architecture: ${arch}`,
    `Maintainer: ${process.env.DEBFULLNAME ?? 'vipd maintainers'} <${process.env.DEBEMAIL ?? 'root@localhost'}>`,
    `Installed-Size: ${size}`,
    // Node >= 20 as package.json's engines: bookworm's own nodejs is 18, so a bookworm balancer
    // takes nodejs 20 from NodeSource's apt repository (or runs trixie, which has 20).
    `Depends: nodejs (>= 20), ${addonShlibs(stage)}, ipvsadm, iproute2, kmod, adduser`,
    'Section: net',
    'Priority: optional',
    `Description: ${pkg.description}`,
    ' vipd health-checks the realservers of each LVS virtual service, keeps the kernel\'s IPVS',
    ' table in line through ipvsadm, and announces each service IP to the routers over BGP.',
    ' It reads PyBal\'s pybal.conf and pool files unchanged.',
    '',
  ].join('\n'));
  write(stage, 'DEBIAN/conffiles', conffiles.map((c) => `${c}\n`).join(''));
  const sums = files.filter((f) => !conffiles.includes(`/${relative(stage, f)}`))
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(stage, f)}\n`);
  write(stage, 'DEBIAN/md5sums', sums.join(''));
  for (const s of ['postinst', 'prerm', 'postrm']) copy(stage, `packaging/deb/${s}`, `DEBIAN/${s}`, 0o755);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const arch = run('dpkg', ['--print-architecture']).trim();
compile();
const stage = mkdtempSync(join(tmpdir(), 'vipd-deb-'));
chmodSync(stage, 0o755); // the package's / as dpkg-deb records it
try {
  const modules = stagePackage(stage, pkg);
  control(stage, pkg, arch);
  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `vipd_${pkg.version}-1_${arch}.deb`);
  run('dpkg-deb', ['--root-owner-group', '--build', stage, deb]);
  console.error(`deb: ${modules} production packages bundled`);
  console.log(deb);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
