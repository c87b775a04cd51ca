/**
 * `overrides-source = etcd3://HOST:PORT/PREFIX` (issue 17 §2): the site's overrides in etcd, read
 * whole, then watched; every change is handed to the OverrideControl, which mirrors it to the
 * state file. While etcd cannot be reached: one alert, the last good overrides stay in force
 * (never a mass repool or depool); when it answers again: a full read (resync), alert cleared.
 * Writes go to etcd first; the watch brings them to every balancer of the site.
 */
import type { ServerOverride, InstanceOverride, OverrideSet } from '../../coordinator/overrides.js';
import { instanceKey, overridesPrefix, overrideValue, serverKey, SharedOverrides } from '../../coordinator/shared-overrides.js';
import type { Logger } from '../../log/logger.js';
import { redactUrl } from '../../log/redact.js';
import { authenticate, rangePrefix, watchPrefix, type EtcdEndpoint } from '../../pools/etcd-client.js';
import { etcd3Target } from '../../pools/etcd-source.js';
import { deleteKey, putKey } from '../../pools/etcd-write.js';
import type { Cancel, Clock } from '../../time/clock.js';

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
  /** This balancer's instance-name: its own instance depool key. */
  instance: string;
  clock: Clock;
  log: Logger;
  /** A good state read from etcd (the full read, then each change). */
  onSet(set: OverrideSet): void;
  alert(source: string, message: string | null): void;
  /** How many overrides are in force now (for the outage alert's text). */
  inForce(): number;
  timeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export class EtcdOverrides implements SharedWriter {
  readonly ep: EtcdEndpoint;
  readonly prefix: string;
  private readonly model: SharedOverrides;
  private readonly shown: string;
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private retry: Cancel | null = null;
  private backoff: number;
  private down: string | null = null;
  private stopped = false;
  /** Problems already logged (each once while it lasts). */
  private logged = new Set<string>();

  constructor(private readonly d: EtcdOverridesDeps) {
    ({ ep: this.ep, prefix: this.prefix } = etcd3Target(d.url, { clock: d.clock, timeoutMs: d.timeoutMs ?? 5000 }));
    this.model = new SharedOverrides(this.prefix, d.instance);
    this.shown = redactUrl(d.url);
    this.backoff = d.backoffMinMs ?? 200;
  }

  start(): void {
    if (this.stopped) return;
    this.abort = new AbortController();
    this.loop = this.session(this.abort.signal).catch((e: unknown) => {
      if (this.stopped) return;
      const why = (e as Error).message;
      if (this.down !== why) {
        this.d.log.warn(`overrides-source ${this.shown}: ${why}; keeping the last good overrides, retrying`);
        this.down = why;
      }
      const n = this.d.inForce();
      this.d.alert(ETCD_ALERT, `overrides-source ${this.shown} unreachable: ${why}; keeping the last good overrides `
        + `(${n} in force, mirrored in the state file), nothing depooled for it; a full read follows when etcd answers`);
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.d.backoffMaxMs ?? 5000);
      this.retry = this.d.clock.setTimer(delay, () => { this.retry = null; this.start(); });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.();
    this.abort.abort();
    await this.loop;
  }

  /** One full read then the watch from the next revision (no change between them is missed). */
  private async session(signal: AbortSignal): Promise<void> {
    if (this.ep.credentials) this.ep.token = await authenticate(this.ep, signal);
    const { revision, kvs } = await rangePrefix(this.ep, overridesPrefix(this.prefix), signal);
    if (signal.aborted) return;
    this.model.reset(kvs);
    this.deliver();
    if (this.down !== null) this.d.log.info(`overrides-source ${this.shown} answers again: full read done (${kvs.length} keys)`);
    this.down = null;
    this.backoff = this.d.backoffMinMs ?? 200;
    this.d.alert(ETCD_ALERT, null);
    await watchPrefix(this.ep, overridesPrefix(this.prefix), revision + 1, {
      onEvents: (events) => { this.model.apply(events); this.deliver(); },
    }, signal);
  }

  private deliver(): void {
    const problems = this.model.problems();
    for (const p of problems) if (!this.logged.has(p)) this.d.log.warn(`overrides-source: ${p}`);
    this.logged = new Set(problems);
    this.d.alert(VALUES_ALERT, problems.length ? problems.join('; ') : null);
    this.d.onSet(this.model.set());
  }

  putServer(o: ServerOverride): Promise<void> { return putKey(this.ep, serverKey(this.prefix, o.pool, o.host), overrideValue(o)); }
  deleteServer(pool: string, host: string): Promise<void> { return deleteKey(this.ep, serverKey(this.prefix, pool, host)); }
  putInstance(o: InstanceOverride): Promise<void> { return putKey(this.ep, instanceKey(this.prefix, this.d.instance), overrideValue(o)); }
  deleteInstance(): Promise<void> { return deleteKey(this.ep, instanceKey(this.prefix, this.d.instance)); }
}
