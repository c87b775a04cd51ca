// Host side of a real-kernel test file: one QEMU guest boot (Debian kernel with ip_vs) runs a guest
// entry (test/lab/ipvs-vm/guest-*.ts) against the real ipvsadm; one assertion per listed scenario.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import tap, { type Test } from 'tap';
import { compileForGuest, GUEST_LOCK_WAIT_MS, prepareGuest, repoRoot, runInGuest } from '../lab/ipvs-vm/guest.js';
import { findTool, inCI } from '../support/require-tool.js';

/** src/ folders the guest imports: every folder (a hand-kept list missed src/health/catalogue once). */
const GUEST_SRC = readdirSync(join(repoRoot, 'src'), { recursive: true, withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => relative(join(repoRoot, 'src'), join(d.parentPath, d.name)));

/** Under CI=true a guest that cannot run is a failure; locally a loud skip. */
function cannot(t: Test, why: string): void {
  if (inCI()) t.fail(`CI=true and the IPVS guest cannot run: ${why}`);
  else {
    process.stderr.write(`\n!!! SKIPPING the real-kernel IPVS tests: ${why}\n\n`);
    t.skip(`SKIPPED: ${why}`, () => {});
  }
}

export interface GuestSuite {
  /** The guest entry, e.g. test/lab/ipvs-vm/guest-scenarios.ts. */
  entry: string;
  /** Files it imports lazily (compiled alongside). */
  lazy: string[];
  /** Every scenario the entry must report, in order; an unlisted one fails too. */
  scenarios: string[];
  /** Results whose detail (timings) is worth a comment. */
  comment: (name: string) => boolean;
  timeoutMs?: number;
}

export async function runGuestSuite(t: Test, s: GuestSuite): Promise<void> {
  const guestMs = s.timeoutMs ?? 240_000;
  // The file's own time limit covers a wait for another file's guest (one guest per machine).
  tap.setTimeout(GUEST_LOCK_WAIT_MS + guestMs + 120_000);
  const missing = ['qemu-system-x86_64', 'ipvsadm', 'busybox'].filter((x) => !findTool(x));
  if (missing.length) return cannot(t, `${missing.join(', ')} not found; run test/lab/install-deps.sh as root`);
  const prepared = await prepareGuest();
  if (!prepared.ok) return cannot(t, `test/lab/ipvs-vm/setup.sh failed:\n${prepared.output}`);
  const out = join(repoRoot, 'build', `ipvs-guest-${process.pid}`);
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const entry = compileForGuest(s.entry, out, GUEST_SRC, ['test/lab/ipvs-vm/guest-run.ts', ...s.lazy]);
  const rw = join(out, 'results');
  mkdirSync(rw, { recursive: true });
  const r = await runInGuest(['node', entry, join(rw, 'results.json')], rw, guestMs);
  if (r.waitedMs > 1000) t.comment(`waited ${(r.waitedMs / 1000).toFixed(1)} s for another QEMU guest on this machine`);
  if (r.exitCode === 125) return cannot(t, `the guest reported no exit code (no boot, or past its ${guestMs / 1000} s):\n${r.stdout}${r.stderr}`);
  t.equal(r.exitCode, 0, 'the scenario runner exited 0', { output: r.stdout + r.stderr });
  let report: { results: { name: string; ok: boolean; detail: string }[]; log: string[] };
  try {
    report = JSON.parse(readFileSync(join(rw, 'results.json'), 'utf8'));
  } catch (e) {
    t.fail(`no results from the guest: ${String(e)}`, { output: r.stdout + r.stderr });
    return;
  }
  const byName = new Map(report.results.map((x) => [x.name, x]));
  for (const name of s.scenarios) {
    const res = byName.get(name);
    t.ok(res?.ok, name, { detail: res?.detail ?? 'scenario did not run', log: res?.ok ? undefined : report.log });
  }
  t.same(report.results.map((x) => x.name).filter((n) => !s.scenarios.includes(n)), [], 'no unlisted scenario');
  for (const x of report.results.filter((x) => s.comment(x.name))) t.comment(`${x.name}: ${x.detail}`);
}
