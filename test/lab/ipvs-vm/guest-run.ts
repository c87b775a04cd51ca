// Runs INSIDE the IPVS guest: what every guest entry (guest-scenarios.ts, guest-site.ts) shares:
// the results list, a JSON logger kept in memory, ipvsadm by hand, the lazily loaded scenario
// modules, and the end of a run (results written, the watchdog told, leftover handles named).
import { writeFileSync } from 'node:fs';
import { createLogger, type Logger } from '../../../src/log/logger.js';
import { commandRunner } from '../../../src/process/command-runner.js';

export interface Result { name: string; ok: boolean; detail: string }
export const results: Result[] = [];
const started = Date.now();
/** One line per result on the guest's stdout as it comes: a run the host's timeout ends still shows how far it got. */
export function progress(): void {
  for (let i = shown; i < results.length; i++) {
    const r = results[i]!;
    console.log(`guest ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.ok ? 'ok' : 'FAIL'} ${r.name}`);
  }
  shown = results.length;
}
let shown = 0;
export const lines: string[] = [];
export const logger: Logger = createLogger({ json: true, level: 'debug', write: (l) => lines.push(l) });

export async function ipvsadm(args: string[], input?: string): Promise<string> {
  const r = await commandRunner.run('ipvsadm', args, {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeoutMs: 20_000, maxOutputBytes: 1 << 20, ...(input ? { input } : {}),
  });
  if (r.exitCode !== 0 || r.stderr) throw new Error(`ipvsadm ${args.join(' ')}: rc ${r.exitCode} ${r.stderr.trim()}`);
  return r.stdout;
}
/** What an operator does by hand, in one ipvsadm call (each call costs ~0.2 s under TCG). */
export const byHand = (...cmds: string[]): Promise<string> => ipvsadm(['-R'], cmds.join('\n') + '\n');
export const saved = async (): Promise<string[]> => (await ipvsadm(['-Sn'])).split('\n').filter(Boolean);

export function same(actual: unknown, expected: unknown): string {
  const a = JSON.stringify(actual, null, 1);
  const e = JSON.stringify(expected, null, 1);
  return a === e ? '' : `expected ${e}\n  actual ${a}`;
}

export const failure = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export interface ScenarioHelpers { logger: Logger; saved: typeof saved; byHand: typeof byHand; same: typeof same }
type ScenarioModule = Record<string, (h: ScenarioHelpers) => Promise<Result[]>>;

/**
 * Scenario modules, each with its own daemons or namespaces, one after the other in this order;
 * a module that throws reports one failed result under `failName`.
 */
export async function runModules(list: Array<[file: string, fn: string, failName: string]>): Promise<void> {
  for (const [file, fn, failName] of list) {
    try {
      const mod = await import(file) as ScenarioModule;
      results.push(...await mod[fn]!({ logger, saved, byHand, same }));
    } catch (e) {
      results.push({ name: failName, ok: false, detail: failure(e) });
    }
    progress();
  }
}

/** Writes the results for the host test, tells the guest's watchdog, and names what keeps node alive. */
export function finish(resultsFile: string): void {
  writeFileSync(resultsFile, JSON.stringify({ results, log: lines.slice(-40) }, null, 1));
  console.log(`guest scenarios: ${results.filter((r) => r.ok).length}/${results.length} ok`);
  // From now on node must exit by itself within seconds.
  if (process.env.VIPD_IPVS_VM_DONE) writeFileSync(process.env.VIPD_IPVS_VM_DONE, 'done\n');
  // A handle still open at exit can hang node's own teardown (see guest-backends.ts): name any but stdio.
  process.on('exit', (code) => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap');
    if (open.length) console.log(`guest node: exit code ${code} with handles still open: ${JSON.stringify(open)}`);
  });
  // Every scenario stops what it started: anything still holding the event loop is named, then ended.
  setTimeout(() => {
    console.log(`guest node still alive 5 s after the scenarios: ${JSON.stringify(process.getActiveResourcesInfo())}`);
    process.exit(3);
  }, 5000).unref();
}
