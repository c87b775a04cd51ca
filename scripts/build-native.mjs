#!/usr/bin/env node
// Builds vipd's native addon (native/: the fast HTTP probe, TCP keepalive) with npm's node-gyp,
// against the local Node headers when they are installed (no download).
// Usage: node scripts/build-native.mjs [--if-missing]
// Without the addon vipd still runs (ProxyFetch falls back to net.Socket, about half the rate),
// so a failed build only warns, except under CI=true or with VIPD_NATIVE_REQUIRED=1.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'native/build/Release/vipd_native.node');
const required = process.env.CI === 'true' || process.env.VIPD_NATIVE_REQUIRED === '1';

if (process.argv.includes('--if-missing') && existsSync(addon)) process.exit(0);

function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout?.trim();
  const bundled = npmCli ? join(npmCli, 'npm/node_modules/node-gyp/bin/node-gyp.js') : '';
  return existsSync(bundled) ? bundled : null;
}

function nodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  // Debian's nodejs-dev and the official tarball both put node_api.h under <prefix>/include/node
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : null;
}

const gyp = nodeGyp();
const dir = nodeDir();
let ok = false;
if (gyp) {
  const args = [gyp, 'rebuild', '--loglevel=warn', '--directory', join(root, 'native'), ...(dir ? [`--nodedir=${dir}`] : [])];
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  ok = r.status === 0 && existsSync(addon);
}
if (ok) {
  console.log('native: built native/build/Release/vipd_native.node');
} else {
  const why = gyp ? 'node-gyp failed (needs python3, make and a C compiler)' : "npm's node-gyp was not found";
  console.error(`\n!!! native: the fast HTTP probe was not built: ${why}.\n` +
    '!!! vipd still runs; ProxyFetch uses the slower net.Socket client.\n');
  process.exit(required ? 1 : 0);
}
