import { getSystemErrorName } from 'node:util';
import { peekStatus } from './http-response.js';
import { nativeAddon, type NativeAddon } from './native-addon.js';
import type { CheckSignal } from '../check-signal.js';

/**
 * The status-only plain-HTTP check on Node's libuv loop through the small native addon in
 * native/http-probe.c (built by `npm install`): the same request, reasons and
 * server-closes-first behaviour as http-probe.ts, at a few microseconds of JavaScript per check
 * instead of net.Socket's ~40. Without the addon callers fall back to the net.Socket client.
 */

export type StatusResult = { ok: true; status: number; body: null } | { ok: false; reason: string };

// Mirrors of the addon's own result codes (native/http-probe.c).
const CLOSED_EARLY = -100001;
const NO_BUDGET = -100004;
const PHASES = ['connect', 'response'];

/**
 * One probe in flight: what its result needs, kept by slot (the addon's slots are small dense
 * integers). A class, not an object literal: V8 tracks a literal's survivors and, after the first
 * round's slow checks, allocated every later one in the old generation, where each dead one kept
 * its check's promise chain alive until the next full GC (a full GC every second at 10,000/s).
 */
class Pending {
  constructor(
    readonly done: (r: StatusResult) => void, readonly signal: CheckSignal, readonly onAbort: () => void,
    readonly ip: string, readonly port: number,
  ) {}
}
const ONCE = { once: true } as const;

let budget = 0; // descriptors the probes may hold at once (native/descriptor-budget.c)

/** A success per status code, shared (not a literal per check: see Pending). */
const statusResults = new Map<number, StatusResult>();

function describe(code: number, phase: number, head: string | undefined, ip: string, port: number): StatusResult {
  if (code > 0) {
    let r = statusResults.get(code);
    if (r === undefined) statusResults.set(code, (r = Object.freeze({ ok: true, status: code, body: null } as const)));
    return r;
  }
  if (head !== undefined) {
    const s = peekStatus(Buffer.from(head, 'latin1'));
    return { ok: false, reason: typeof s === 'string' ? s : 'malformed status line' };
  }
  if (code === CLOSED_EARLY) return { ok: false, reason: 'connection closed before a status line' };
  const target = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`; // built only for a failure's reason
  // named EMFILE so that the runner counts it as no verdict (check-timeout.ts verdictOf)
  if (code === NO_BUDGET) return { ok: false, reason: `connect: not started, EMFILE avoided: ${budget} checks hold a descriptor, the rest are kept for BGP, the API and etcd (${target})` };
  return { ok: false, reason: `${PHASES[phase] ?? 'connect'}: ${getSystemErrorName(code)} ${target}` };
}

class FastHttpProbe {
  private readonly pending: (Pending | undefined)[] = [];

  constructor(private readonly binding: NativeAddon) {
    budget = binding.probeBudget?.() ?? 0;
    binding.init((slot, code, phase, head) => {
      const p = this.pending[slot];
      if (!p) return;
      this.pending[slot] = undefined;
      p.signal.removeEventListener('abort', p.onAbort);
      p.done(describe(code, phase, head, p.ip, p.port));
    });
  }

  /** One check; `request` is the whole HTTP/1.1 request with `Connection: close`. */
  status(ip: string, port: number, request: Buffer, signal: CheckSignal): Promise<StatusResult> {
    return new Promise((resolve) => this.statusThen(ip, port, request, signal, resolve));
  }

  /**
   * `status` without a promise: `done` gets the result once, perhaps before this returns (no
   * descriptor left, an address the kernel refuses at once, a signal aborted already). The
   * runner's path at 10,000 checks a second: a promise chain is ~500 B and two microtasks a check.
   */
  statusThen(ip: string, port: number, request: Buffer, signal: CheckSignal, done: (r: StatusResult) => void): void {
    if (signal.aborted) { done({ ok: false, reason: 'aborted' }); return; }
    let slot: number;
    try {
      slot = this.binding.start(ip, port, request);
    } catch (e) {
      done({ ok: false, reason: `connect: ${(e as Error).message} (${ip})` });
      return;
    }
    if (slot < 0) { done(describe(slot, 0, undefined, ip, port)); return; }
    const onAbort = (): void => {
      if (this.pending[slot]?.onAbort !== onAbort) return;
      this.pending[slot] = undefined;
      const phase = this.binding.cancel(slot);
      done({ ok: false, reason: `aborted during ${PHASES[phase] ?? 'connect'}` });
    };
    signal.addEventListener('abort', onAbort, ONCE);
    this.pending[slot] = new Pending(done, signal, onAbort, ip, port);
  }
}

let instance: FastHttpProbe | null | undefined;

/** The native status probe, or null without the addon (see native-addon.ts). */
export function fastHttpProbe(): FastHttpProbe | null {
  if (instance === undefined) {
    const addon = nativeAddon();
    instance = addon ? new FastHttpProbe(addon) : null;
  }
  return instance;
}

export type { FastHttpProbe };
