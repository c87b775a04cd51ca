/**
 * Operator overrides on the main thread (issue 15 §1): authenticates and applies the API's
 * writes, keeps them in the state file, ends them when they expire (a Clock timer), takes the
 * instance out of BGP (RFC 8326 GRACEFUL_SHUTDOWN first when a peer has a wait), and raises the
 * `overrides` warning while any is in force. The rules themselves are pure (coordinator/overrides*.ts).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { OverrideWrite, WriteAnswer } from '../../api/types.js';
import type { GlobalConfig } from '../../config/index.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import type { InstanceRouting } from '../../coordinator/overrides-apply.js';
import {
  describeOverride, expire, findOverride, iso, nextExpiry, NO_OVERRIDES, overridesAlert, parseOverrideRequest, thresholdRefusal,
  withOverride, withoutOverride, type InstanceOverride, type OverrideSet, type ServerOverride,
} from '../../coordinator/overrides.js';
import type { Logger } from '../../log/logger.js';
import type { Cancel, Clock } from '../../time/clock.js';
import { bearer, readAdminTokens, TokenFileError } from './admin-tokens.js';
import { ConfigError } from './errors.js';
import { gracefulShutdownMs } from './mapping.js';
import { loadState, saveState, STATE_FILE } from './override-state.js';
import { DEFAULT_STATE_DIR } from './state-lock.js';
import type { SharedWriter } from './override-etcd.js';

export interface OverrideDeps {
  clock: Clock;
  log: Logger;
  coordinator: Pick<Coordinator, 'setOverrides' | 'status' | 'raiseAlert' | 'clearAlert'>;
  /** The configuration running now (a reload changes the token file or the graceful wait). */
  global(): GlobalConfig;
  stateFile: string;
}

/** Expiry is re-checked at least this often, so a wall-clock step cannot hold an override long. */
const MAX_TIMER_MS = 60_000;
const answer = (status: number, body: unknown): WriteAnswer => ({ status, body });
const refuse = (status: number, error: string, field?: string): WriteAnswer => answer(status, field ? { error, field } : { error });

/** The names the API's Host check accepts besides addresses and localhost. */
export function apiHostnames(g: GlobalConfig): string[] {
  return g.instrumentationHostnames ?? [hostname()];
}

/** The set as text, whatever the order of its servers. */
const canonical = (s: OverrideSet): string =>
  JSON.stringify([s.instance, s.servers.map((o) => JSON.stringify(o)).sort()]);

export class OverrideControl {
  private set: OverrideSet = NO_OVERRIDES;
  private routing: InstanceRouting = null;
  private expiryTimer: Cancel | null = null;
  private graceTimer: Cancel | null = null;
  private readonly log: Logger;
  /** overrides-source (etcd): writes go there first; null = this balancer's state file only. */
  private shared: SharedWriter | null = null;

  constructor(private readonly d: OverrideDeps) {
    this.log = d.log.child({ component: 'overrides' });
  }

  get overrides(): OverrideSet { return this.set; }

  /**
   * At start, before the first IPVS batch: the token file must be private (else ConfigError), and
   * the state file's overrides apply at once; an instance depool stays withdrawn (never re-announced).
   */
  load(): void {
    const file = this.d.global().adminTokenFile;
    try {
      if (file) readAdminTokens(file);
      const loaded = expire(loadState(this.d.stateFile), this.d.clock.wallNow()).set;
      this.set = loaded;
    } catch (e) {
      throw new ConfigError(e instanceof Error ? e.message : String(e));
    }
    this.routing = this.set.instance ? { phase: 'withdrawn', reason: this.set.instance.reason } : null;
    const n = this.set.servers.length + (this.set.instance ? 1 : 0);
    if (n) this.log.warn(`${n} override${n > 1 ? 's' : ''} loaded from ${this.d.stateFile}: ${overridesAlert(this.set)}`);
    this.apply();
  }

  stop(): void {
    this.expiryTimer?.();
    this.graceTimer?.();
    this.expiryTimer = this.graceTimer = null;
  }

  /** Shares the overrides through etcd from now on (issue 17 §2). */
  share(writer: SharedWriter): void { this.shared = writer; }

  /**
   * A good state read from etcd replaces the local one and is mirrored to the state file: the
   * fallback when etcd cannot be reached, start included.
   */
  fromShared(set: OverrideSet): void {
    const { set: next, ended } = expire(set, this.d.clock.wallNow());
    this.dropShared(ended); // already over when read: its key goes too
    if (canonical(next) === canonical(this.set)) return; // our own write, back through the watch
    try { saveState(this.d.stateFile, next); } catch (e) { this.log.error(`state file not updated from etcd: ${(e as Error).message}`); }
    this.set = next;
    this.log.warn(`overrides from etcd: ${overridesAlert(next) ?? 'none in force'}`);
    this.apply();
  }

  /** One PUT or DELETE from the API; nothing changes unless the answer is 200. */
  write(w: OverrideWrite): WriteAnswer | Promise<WriteAnswer> {
    const auth = this.authenticate(w);
    if (typeof auth !== 'string') return auth;
    return w.pool === null || w.host === null ? this.writeInstance(w, auth) : this.writeServer(w, w.pool, w.host, auth);
  }

  private authenticate(w: OverrideWrite): WriteAnswer | string {
    const token = bearer(w.authorization);
    if (token === null) return refuse(401, 'missing Authorization: Bearer TOKEN (a token of admin-token-file)');
    const file = this.d.global().adminTokenFile;
    if (!file) return refuse(403, 'no admin-token-file is configured: this vipd takes no writes');
    let name: string | null;
    try {
      name = readAdminTokens(file).match(token);
    } catch (e) {
      this.log.error(`override refused: ${(e as Error).message}`);
      return refuse(403, e instanceof TokenFileError ? e.message : 'admin-token-file unreadable');
    }
    if (name === null) {
      this.log.warn(`override refused: a token not in ${file}`, { client: w.client });
      return refuse(403, 'token not accepted');
    }
    return name;
  }

  private writeServer(w: OverrideWrite, pool: string, host: string, author: string): WriteAnswer | Promise<WriteAnswer> {
    const p = this.d.coordinator.status().pools.find((x) => x.name === pool);
    if (!p) return refuse(404, `no pool '${pool}'`);
    if (!p.servers.some((s) => s.host === host)) return refuse(404, `no server '${host}' in pool '${pool}'`);
    if (w.method === 'DELETE') {
      const removed = findOverride(this.set, pool, host) ?? null;
      if (!removed) return answer(200, { removed });
      return this.commit((s) => withoutOverride(s, pool, host), (sh) => sh.deleteServer(pool, host), () => {
        this.log.warn(`override dropped by ${author}: ${describeOverride(removed)}`, { service: pool, server: host });
        return answer(200, { removed });
      });
    }
    const now = this.d.clock.wallNow();
    const r = parseOverrideRequest(w.body, now);
    if (!r.ok) return refuse(400, r.error, r.field);
    const why = thresholdRefusal(p, this.set, host, r.value.state);
    if (why && !r.value.force) {
      this.log.warn(`override refused (409): ${why}`, { service: pool, server: host, author });
      return refuse(409, why);
    }
    const o: ServerOverride = {
      pool, host, state: r.value.state, reason: r.value.reason, author, since: iso(now), expires: r.value.expires, forced: why !== null,
    };
    return this.commit((s) => withOverride(s, o), (sh) => sh.putServer(o), () => {
      this.log.warn(`override: ${describeOverride(o)}${why ? ` — FORCED past the depool threshold: ${why}` : ''}`, { service: pool, server: host });
      return answer(200, o);
    });
  }

  private writeInstance(w: OverrideWrite, author: string): WriteAnswer | Promise<WriteAnswer> {
    if (w.method === 'DELETE') {
      const removed = this.set.instance;
      if (!removed) return answer(200, { removed });
      return this.commit((s) => ({ ...s, instance: null }), (sh) => sh.deleteInstance(), () => {
        this.log.warn(`instance repooled by ${author}: VIPs announced again as health decides (was: ${removed.reason})`);
        return answer(200, { removed });
      });
    }
    const now = this.d.clock.wallNow();
    const r = parseOverrideRequest(w.body, now, ['depooled']);
    if (!r.ok) return refuse(400, r.error, r.field);
    if (r.value.force) return refuse(400, 'force: not used by an instance depool', 'force');
    const o: InstanceOverride = { state: 'depooled', reason: r.value.reason, author, since: iso(now), expires: r.value.expires };
    return this.commit((s) => ({ ...s, instance: o }), (sh) => sh.putInstance(o), () => {
      this.log.warn(`override: ${describeOverride(o)}; every VIP leaves every router, IPVS stays`);
      return answer(200, o);
    });
  }

  /**
   * Without overrides-source: saves then applies the change; 500 when the state file cannot be
   * written (nothing changed). With it: etcd first (503 when it cannot be written: nothing
   * changed anywhere), then applied here at once and mirrored to the state file.
   */
  private commit(change: (s: OverrideSet) => OverrideSet, write: (s: SharedWriter) => Promise<void>, done: () => WriteAnswer): WriteAnswer | Promise<WriteAnswer> {
    const shared = this.shared;
    if (!shared) {
      const next = change(this.set);
      try {
        saveState(this.d.stateFile, next);
      } catch (e) {
        this.log.error(`override not applied: ${(e as Error).message}`);
        return refuse(500, `${(e as Error).message}; nothing changed`);
      }
      this.set = next;
      this.apply();
      return done();
    }
    return write(shared).then(() => {
      const next = change(this.set);
      try { saveState(this.d.stateFile, next); } catch (e) { this.log.error(`state file not updated: ${(e as Error).message}`); }
      this.set = next;
      this.apply();
      return done();
    }, (e: unknown) => {
      this.log.error(`override not applied: overrides-source: ${(e as Error).message}`);
      return refuse(503, `overrides-source (etcd) not written: ${(e as Error).message}; nothing changed`);
    });
  }

  /** The instance's BGP phase follows the set: graceful first when a peer waits, then withdrawn. */
  private apply(): void {
    const inst = this.set.instance;
    if (!inst) {
      this.graceTimer?.();
      this.graceTimer = null;
      this.routing = null;
    } else if (this.routing === null) {
      const g = this.d.global();
      const wait = g.bgp ? gracefulShutdownMs(g) : 0;
      this.routing = { phase: wait > 0 ? 'graceful' : 'withdrawn', reason: inst.reason };
      if (wait > 0) {
        this.graceTimer = this.d.clock.setTimer(wait, () => {
          this.graceTimer = null;
          if (this.routing) this.routing = { phase: 'withdrawn', reason: this.routing.reason };
          this.apply();
        });
      }
    } else {
      this.routing = { ...this.routing, reason: inst.reason };
    }
    this.d.coordinator.setOverrides(this.set, this.routing);
    const alert = overridesAlert(this.set);
    if (alert) this.d.coordinator.raiseAlert('overrides', 'warning', alert); else this.d.coordinator.clearAlert('overrides');
    this.schedule();
  }

  /** Any balancer may end a shared override: the delete is idempotent, the watch brings it to the others. */
  private dropShared(ended: (ServerOverride | InstanceOverride)[]): void {
    const shared = this.shared;
    if (!shared) return;
    for (const o of ended) {
      ('pool' in o ? shared.deleteServer(o.pool, o.host) : shared.deleteInstance())
        .catch((e: unknown) => this.log.warn(`expired override not deleted from etcd: ${(e as Error).message}`));
    }
  }

  private schedule(): void {
    this.expiryTimer?.();
    this.expiryTimer = null;
    const next = nextExpiry(this.set);
    if (next === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.d.clock.wallNow()));
    this.expiryTimer = this.d.clock.setTimer(delay, () => {
      this.expiryTimer = null;
      const r = expire(this.set, this.d.clock.wallNow());
      if (r.ended.length === 0) { this.schedule(); return; }
      for (const o of r.ended) this.log.warn(`override expired: ${describeOverride(o)}`);
      this.dropShared(r.ended);
      // The file may keep an expired entry if this write fails: it is dropped when read.
      try { saveState(this.d.stateFile, r.set); } catch (e) { this.log.error((e as Error).message); }
      this.set = r.set;
      this.apply();
    });
  }
}

/** Builds the control for a daemon and loads the state file (before the first IPVS batch). */
export function startOverrides(d: {
  opts: { clock: Clock; log: Logger; stateDir?: string }; coordinator: Coordinator; config: { global: GlobalConfig };
}): OverrideControl {
  const c = new OverrideControl({
    clock: d.opts.clock, log: d.opts.log, coordinator: d.coordinator, global: () => d.config.global,
    stateFile: d.config.global.stateFile ?? join(d.opts.stateDir ?? DEFAULT_STATE_DIR, STATE_FILE),
  });
  c.load();
  return c;
}
