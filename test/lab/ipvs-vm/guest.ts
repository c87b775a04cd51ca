// Host side of the IPVS guest: prepare the cache, compile the code the guest runs, boot it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { commandRunner, type RunResult } from '../../../src/process/command-runner.js';
import { takeGuestLock } from './guest-lock.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is test/lab/ipvs-vm/guest.ts, or its compiled copy). */
export const repoRoot = resolve(here, '../../..').replace(/\/build\/[^/]+$/, '');
const scripts = join(repoRoot, 'test/lab/ipvs-vm');

const hostEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));

/** Downloads the kernel and builds the initramfs when missing (idempotent, ~10 s the first time). */
export async function prepareGuest(): Promise<{ ok: boolean; output: string }> {
  const r = await commandRunner.run('bash', [join(scripts, 'setup.sh')], {
    env: hostEnv(), timeoutMs: 600_000, maxOutputBytes: 1 << 20, cwd: repoRoot,
  });
  return { ok: r.exitCode === 0, output: (r.stdout + r.stderr).trim() };
}

/**
 * Transpiles the guest entry and the src/ folders it needs into `outDir` (inside the repo, so
 * node_modules resolve), with `more` (repo paths, e.g. modules the entry imports lazily). Type checking
 * is the main tsconfig's job; this only strips types.
 */
export function compileForGuest(entry: string, outDir: string, srcFolders: string[], more: string[] = []): string {
  const files = [entry, ...more].map((f) => resolve(repoRoot, f));
  for (const f of srcFolders) {
    for (const name of readdirSync(join(repoRoot, 'src', f))) {
      if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(join(repoRoot, 'src', f, name));
    }
  }
  for (const file of files) {
    const out = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    });
    const dest = join(outDir, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return join(outDir, entry).replace(/\.ts$/, '.js');
}

/** How long a caller waits for another guest on this machine to finish (guest-lock.ts). */
export const GUEST_LOCK_WAIT_MS = 600_000;

/**
 * Boots the guest and runs `args` in the repo; `rwDir` is the one host folder it may write. One guest
 * at a time per machine: `timeoutMs` counts from the boot, not from the wait for the lock.
 */
export async function runInGuest(args: string[], rwDir: string, timeoutMs = 240_000): Promise<RunResult & { waitedMs: number }> {
  const lock = await takeGuestLock(GUEST_LOCK_WAIT_MS);
  try {
    const r = await commandRunner.run('bash', [join(scripts, 'run.sh'), ...args], {
      env: { ...hostEnv(), VIPD_IPVS_VM_RW: rwDir, VIPD_IPVS_VM_TIMEOUT: String(Math.ceil(timeoutMs / 1000)) },
      timeoutMs: timeoutMs + 10_000, maxOutputBytes: 4 << 20, cwd: repoRoot,
    });
    return { ...r, waitedMs: lock.waitedMs };
  } finally {
    lock.release();
  }
}
