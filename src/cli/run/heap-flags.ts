// `vipd run` under bounded V8 heaps (issue 13 §3: RSS at 10,000 realservers). Most of vipd's RSS is
// heap V8 is allowed to keep, not live data, and node takes heap limits only from its command line.
//
// Where the flags are applied, and why here: `vipd run` starts itself again in place (execv through
// the native addon: same pid, no wrapper) when node was not given them. A unit file's NODE_OPTIONS
// would reach only systemd starts (not /usr/bin/vipd by hand, the benches or the tests) and would
// leak into every node program a check command starts; a `#!` line or /usr/bin/vipd would bound
// every command (`vipd decode` of a large capture too) and is not used by `node dist/cli/main.js`;
// a spawned child would put a second process between systemd or a test's kill and the daemon.
import { nativeAddon, nativeAddonUnavailable } from '../../health/monitors/native-addon.js';

/**
 * The flags. Semi-space 2 MB: the young generation stays ~6 MB instead of growing to 48 MB (each
 * check's garbage dies young; the scavenges stay cheap). Old space 256 MB per isolate: at 10,000
 * realservers the main thread holds ~25–45 MB live and the API worker ~60 MB (docs/benchmarks.md
 * "Heap limits"), so a limit several times the live size, where an out-of-memory end would be far
 * worse than a few MB of RSS. V8 applies both to every isolate: the API worker too.
 */
export const HEAP_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=256'];

/** Set in the environment of the restarted process: never restart twice, whatever happens. */
export const HEAP_MARK = 'VIPD_HEAP_FLAGS';

const HEAP_OPTION = /^--(max-semi-space-size|max-old-space-size|max-young-generation-size|max-heap-size)(=|$)/;

/**
 * What `vipd run` should do about its heap flags: nothing (node was given them, or heap flags of
 * the operator's, or VIPD_HEAP_FLAGS=off), or start again with `add` in front of node's own flags.
 */
export function heapPlan(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>):
  { restart: false; why: string } | { restart: true; add: readonly string[] } {
  if (HEAP_FLAGS.every((f) => execArgv.includes(f))) return { restart: false, why: 'applied' };
  if (env[HEAP_MARK] === 'off') return { restart: false, why: `${HEAP_MARK}=off: V8's default heap limits` };
  if (env[HEAP_MARK] !== undefined) return { restart: false, why: `already restarted once (${HEAP_MARK}=${env[HEAP_MARK]}) and the flags are not in node's arguments` };
  // NODE_OPTIONS may quote its options (node's own syntax: "--flag=v"), as tap's spawn wrapper does
  const fromEnv = (env.NODE_OPTIONS ?? '').split(/\s+/).map((a) => a.replace(/^"(.*)"$/, '$1'));
  const own = [...execArgv, ...fromEnv].filter((a) => HEAP_OPTION.test(a));
  if (own.length) return { restart: false, why: `node was given heap flags (${own.join(' ')}): kept` };
  return { restart: true, add: HEAP_FLAGS };
}

/** What `vipd run` logs about its heaps once its logger exists: info when bounded, else a warning. */
export interface HeapNote { bounded: boolean; text: string }

/**
 * Starts this process again under HEAP_FLAGS when it needs to (does not return then), else says
 * what is in force. Call it first, before anything opens a descriptor or writes to stdout.
 */
export function restartUnderHeapFlags(): HeapNote {
  const plan = heapPlan(process.execArgv, process.env);
  if (!plan.restart) {
    if (plan.why === 'applied') return { bounded: true, text: `node heap limits: ${HEAP_FLAGS.join(' ')}` };
    if (plan.why.startsWith('node was given')) return { bounded: true, text: `node heap limits: ${plan.why}` };
    return { bounded: false, text: `node heap limits not set: ${plan.why}` };
  }
  const addon = nativeAddon();
  if (!addon?.reexec) {
    return { bounded: false, text: `node heap limits not set: the native addon cannot restart vipd (${nativeAddonUnavailable() || 'a build without reexec'}): V8's default heap limits` };
  }
  process.env[HEAP_MARK] = 'restarted';
  const err = addon.reexec(process.execPath, [process.argv0, ...plan.add, ...process.execArgv, ...process.argv.slice(1)]);
  return { bounded: false, text: `node heap limits not set: restarting under ${plan.add.join(' ')} failed (errno ${-err}): V8's default heap limits` };
}
