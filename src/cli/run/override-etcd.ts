/**
 * `overrides-source = etcd3://HOST:PORT/PREFIX` or `etcd://...` (v2, store.ts) (issue 17 §2): the site's overrides in etcd, read
 * whole, then watched; every change is handed to the OverrideControl, which mirrors it to the
 * state file. While etcd cannot be reached: one alert, the last good overrides stay in force
 * (never a mass repool or depool); when it answers again: a full read (resync), alert cleared.
 * Writes go to etcd first; the watch brings them to every balancer of the site.
 */
import type { ServerOverride, InstanceOverride, OverrideSet } from '../../coordinator/overrides.js';
import { instanceKey, overridesPrefix, overrideValue, serverKey, SharedOverrides } from '../../coordinator/shared-overrides.js';
import type { Logger } from '../../log/logger.js';
import { redactUrl } from '../../log/redact.js';
import { isUnreachable } from '../../pools/etcd-outages.js';
import { RetryLoop } from '../../pools/retry-loop.js';
import type { SharedStore } from '../../pools/store.js';
import type { Clock } from '../../time/clock.js';

/** What the OverrideControl writes through (overrides-control.ts). */
export interface SharedWriter {
  putServer(o: ServerOverride): Promise<void>;
  deleteServer(pool: string, host: string): Promise<void>;
  putInstance(o: InstanceOverride): Promise<void>;
  deleteInstance(): Promise<void>;
}

export const ETCD_ALERT = 'overrides-source';
export const VALUES_ALERT = 'overrides-source values';

export interface EtcdOverridesDeps {
  url: string;
  /** etcd3:// or etcd:// (store.ts): the same overrides over either transport. */
  store: SharedStore;
  /** This balancer's instance-name: its own instance depool key. */
  instance: string;
  clock: Clock;
  log: Logger;
  /** A good state read from etcd (the full read, then each change). */
  onSet(set: OverrideSet): void;
  alert(source: string, message: string | null): void;
  /**
   * The endpoint unreachable (why) or answering again (null): the daemon's one alert for the
   * endpoint, shared with the pools it feeds (etcd-outages.ts). Without it: ETCD_ALERT.
   */
  unreachable?(endpoint: string, label: string, why: string | null): void;
  /** How many overrides are in force now (for the outage alert's text). */
  inForce(): number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export class EtcdOverrides implements SharedWriter {
  private readonly store: SharedStore;
  private readonly prefix: string;
  private readonly model: SharedOverrides;
  private readonly shown: string;
  private readonly loop: RetryLoop;
  private down: string | null = null;
  /** Problems already logged (each once while it lasts). */
  private logged = new Set<string>();

  constructor(private readonly d: EtcdOverridesDeps) {
    this.store = d.store;
    this.prefix = d.store.prefix;
    this.model = new SharedOverrides(this.prefix, d.instance);
    this.shown = redactUrl(d.url);
    this.loop = new RetryLoop({ clock: d.clock, backoffMinMs: d.backoffMinMs ?? 200, ...(d.backoffMaxMs ? { backoffMaxMs: d.backoffMaxMs } : {}) },
      (signal) => this.session(signal), (e) => this.failed(e));
  }

  start(): void { this.loop.start(); }

  stop(): Promise<void> { return this.loop.stop(); }

  private failed(e: Error): void {
    const why = e.message;
    if (this.down !== why) {
      this.d.log.warn(`overrides-source ${this.shown}: ${why}; keeping the last good overrides, retrying`);
      this.down = why;
    }
    const n = this.d.inForce();
    const kept = `${n} in force, mirrored in the state file`;
    if (this.d.unreachable && isUnreachable(e)) {
      this.d.alert(ETCD_ALERT, null);
      this.d.unreachable(this.store.endpoint, `overrides (${kept})`, why);
      return;
    }
    this.d.alert(ETCD_ALERT, `overrides-source ${this.shown} unreachable: ${why}; keeping the last good overrides `
      + `(${kept}), nothing depooled for it; a full read follows when etcd answers`);
  }

  /** One full read then the changes (no change between them is missed), until something fails. */
  private session(signal: AbortSignal): Promise<void> {
    return this.store.follow(overridesPrefix(this.prefix), signal, {
      onReset: (kvs) => {
        this.model.reset(kvs);
        this.deliver();
        if (this.down !== null) this.d.log.info(`overrides-source ${this.shown} answers again: full read done (${kvs.length} keys)`);
        this.down = null;
        this.loop.connected();
        this.d.alert(ETCD_ALERT, null);
        this.d.unreachable?.(this.store.endpoint, 'overrides', null);
      },
      onEvents: (events) => { this.model.apply(events); this.deliver(); },
    });
  }

  private deliver(): void {
    const problems = this.model.problems();
    for (const p of problems) if (!this.logged.has(p)) this.d.log.warn(`overrides-source: ${p}`);
    this.logged = new Set(problems);
    this.d.alert(VALUES_ALERT, problems.length ? problems.join('; ') : null);
    this.d.onSet(this.model.set());
  }

  putServer(o: ServerOverride): Promise<void> { return this.store.put(serverKey(this.prefix, o.pool, o.host), overrideValue(o)); }
  deleteServer(pool: string, host: string): Promise<void> { return this.store.del(serverKey(this.prefix, pool, host)); }
  putInstance(o: InstanceOverride): Promise<void> { return this.store.put(instanceKey(this.prefix, this.d.instance), overrideValue(o)); }
  deleteInstance(): Promise<void> { return this.store.del(instanceKey(this.prefix, this.d.instance)); }
}
