/**
 * Reload as a plan (issue 12 §7): what a new configuration means for the running one — which
 * services to build, stop and change, which BGP peers to add and remove — or why it cannot be
 * applied. Pure: start is the plan from nothing (`running = null`); the daemon applies a plan
 * (apply-plan.ts) and never decides anything itself.
 */
import type { ServiceConfig, VipdConfig } from '../../config/index.js';
import { checkPeer, type PeerConfig } from '../../speaker/index.js';
import { virtualService } from '../ipvs-mapping.js';
import { anyAsWarning, speakerConfig } from './mapping.js';

/** One service the reload changes, and how, in words for the reload log (e.g. "scheduler wrr → mh"). */
export interface ServiceChange { name: string; changes: string[] }

export interface ReloadPlan {
  next: VipdConfig;
  /** Services new by name, or whose VIP, port or protocol changed (removed first, then built anew). */
  add: string[];
  /** Services gone by name (or replaced: also in `add`). */
  remove: string[];
  /** Services kept under their name with other settings changed. */
  changed: ServiceChange[];
  /** Services whose monitors are built (added, replaced, monitors changed). */
  buildMonitors: ServiceConfig[];
  /** Pool sources to stop (removed, replaced, pool changed) and to start (added, replaced, pool changed). */
  stopPools: string[];
  startPools: ServiceConfig[];
  /** Health checks to drop whole (removed or replaced services). */
  dropHealth: string[];
  /** Services whose virtual service (scheduler, flags, persistence…) differs: IPVS is updated now. */
  ipvsChanged: string[];
  /** BGP: build the speaker (start only); sessions to close and to open; warnings to log once. */
  speaker: { build: boolean; remove: string[]; add: PeerConfig[]; warnings: { peer: string; message: string }[] };
  /** The instrumentation server: started (start only), unchanged, or changed (needs a restart). */
  instrumentation: 'start' | 'off' | 'unchanged' | 'restart-needed';
  /** Lines to log as warnings when the plan is applied. */
  warnings: string[];
}

export type PlanResult = { ok: true; plan: ReloadPlan } | { ok: false; errors: string[] };

export interface PlanOptions {
  /** `vipd run --allow-empty`. */
  allowEmpty: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const identity = (s: ServiceConfig): unknown => [s.ip, s.port, s.protocol];
const POOL_KEYS = ['pool', 'poolInterval', 'poolTimeout', 'poolMaxServers', 'etcdInsecure', 'etcdCa', 'etcdCert', 'etcdKey'] as const;
const IGNORED = new Set(['name', 'line', 'monitors']);

/**
 * Why a config with no services must not run (issue 11: an empty or truncated file is a valid
 * config), or null: a reload that removes every service, or none at all with bgp = no.
 * `vipd run --allow-empty` lets both through.
 */
export function emptyConfigRefusal(prev: VipdConfig | null, next: VipdConfig, allowEmpty: boolean): string | null {
  if (allowEmpty || next.services.length > 0) return null;
  const hint = 'an empty or truncated file? Start vipd with --allow-empty to allow a config without services';
  if (prev && prev.services.length > 0) {
    return `${next.file} has no services: it would remove all ${prev.services.length} running (${prev.services.map((s) => s.name).join(', ')}); ${hint}`;
  }
  if (!next.global.bgp) return `${next.file} has no services and bgp = no: vipd would do nothing; ${hint}`;
  return null;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'unset');

/** Every setting of a kept service that differs, as "key old → new" ("monitors" for the monitor list). */
export function describeServiceChange(o: ServiceConfig, s: ServiceConfig): string[] {
  const out: string[] = [];
  const keys = new Set([...Object.keys(o), ...Object.keys(s)]);
  for (const k of keys) {
    if (IGNORED.has(k)) continue;
    const a = (o as unknown as Record<string, unknown>)[k];
    const b = (s as unknown as Record<string, unknown>)[k];
    if (!same(a, b)) out.push(`${k} ${text(a)} → ${text(b)}`);
  }
  if (!same(o.monitors, s.monitors)) {
    const names = (x: ServiceConfig): string => x.monitors.map((m) => m.name).join(',') || 'none';
    out.push(names(o) === names(s) ? `monitor options of ${names(s)}` : `monitors ${names(o)} → ${names(s)}`);
  }
  return out;
}

function peerPlan(prev: VipdConfig | null, next: VipdConfig, errors: string[]): ReloadPlan['speaker'] {
  const none: ReloadPlan['speaker'] = { build: false, remove: [], add: [], warnings: [] };
  const g = next.global;
  if (prev && prev.global.bgp !== g.bgp) { errors.push(`turning bgp ${g.bgp ? 'on' : 'off'} needs a restart`); return none; }
  if (!g.bgp) return none;
  if (prev && prev.global.bgpLocalAsn !== g.bgpLocalAsn) { errors.push('changing bgp-local-asn needs a restart'); return none; }
  const now = speakerConfig(next);
  if ('errors' in now) { errors.push(...now.errors); return none; }
  const checks = now.config.peers.flatMap((p) => checkPeer(p, `bgp peer ${p.address}`));
  if (checks.length) { errors.push(...checks); return none; }
  const was = prev ? speakerConfig(prev) : null;
  const before = new Map((was && 'config' in was ? was.config.peers : []).map((p) => [p.address, p]));
  const after = new Map(now.config.peers.map((p) => [p.address, p]));
  const remove = [...before.keys()].filter((a) => !after.has(a) || !same(before.get(a), after.get(a)));
  const add = [...after.values()].filter((p) => !before.has(p.address) || !same(before.get(p.address), p));
  // The "any AS" warning once per peer: when it appears, or when its AS stops being configured.
  const warnings = add.filter((p) => !before.has(p.address) || before.get(p.address)?.peerAs !== undefined)
    .flatMap((p) => { const w = anyAsWarning(p); return w ? [{ peer: p.address, message: w }] : []; });
  return { build: prev === null, remove, add, warnings };
}

function instrumentationPlan(prev: VipdConfig | null, next: VipdConfig): ReloadPlan['instrumentation'] {
  const g = next.global;
  if (!prev) return g.instrumentation ? 'start' : 'off';
  const o = prev.global;
  return o.instrumentation === g.instrumentation && o.instrumentationPort === g.instrumentationPort
    && same(o.instrumentationIps, g.instrumentationIps) ? 'unchanged' : 'restart-needed';
}

/** The plan that takes the running configuration (null: nothing runs yet) to `next`, or every reason it cannot. */
export function planReload(running: VipdConfig | null, next: VipdConfig, opts: PlanOptions): PlanResult {
  const errors: string[] = [];
  const empty = emptyConfigRefusal(running, next, opts.allowEmpty);
  if (empty) return { ok: false, errors: [empty] };
  const old = new Map((running?.services ?? []).map((s) => [s.name, s]));
  const plan: ReloadPlan = {
    next, add: [], remove: [], changed: [], buildMonitors: [], stopPools: [], startPools: [], dropHealth: [], ipvsChanged: [],
    speaker: peerPlan(running, next, errors), instrumentation: instrumentationPlan(running, next), warnings: [],
  };
  const names = new Set(next.services.map((s) => s.name));
  for (const name of old.keys()) if (!names.has(name)) plan.remove.push(name);
  for (const s of next.services) {
    const o = old.get(s.name);
    if (!o || !same(identity(o), identity(s))) {
      if (o) plan.remove.push(s.name);
      plan.add.push(s.name);
      plan.buildMonitors.push(s);
      plan.startPools.push(s);
      continue;
    }
    const changes = describeServiceChange(o, s);
    if (changes.length === 0) continue;
    plan.changed.push({ name: s.name, changes });
    // tcp.via-vip sends its checks the way the service forwards (src/health/datapath): rebuild on a change.
    if (!same(o.monitors, s.monitors) || o.forwarding !== s.forwarding) plan.buildMonitors.push(s);
    if (POOL_KEYS.some((k) => !same(o[k], s[k]))) { plan.stopPools.push(s.name); plan.startPools.push(s); }
    // The forwarding method is per realserver in IPVS (-g/-i/-m): not in the bare virtual service.
    if (!same(virtualService(o, []), virtualService(s, [])) || o.forwarding !== s.forwarding) plan.ipvsChanged.push(s.name);
  }
  plan.stopPools.unshift(...plan.remove);
  plan.dropHealth.push(...plan.remove);
  if (plan.instrumentation === 'restart-needed') plan.warnings.push('instrumentation settings changed; they take effect at the next restart');
  return errors.length ? { ok: false, errors } : { ok: true, plan };
}

/** The reload log's fields: which services were added, removed and changed, and how. */
export function planSummary(p: ReloadPlan): Record<string, string | number | null> {
  const added = p.add.filter((n) => !p.remove.includes(n));
  const replaced = p.add.filter((n) => p.remove.includes(n));
  const removed = p.remove.filter((n) => !p.add.includes(n));
  return {
    added: added.join(',') || null,
    removed: removed.join(',') || null,
    replaced: replaced.join(',') || null,
    changed: p.changed.map((c) => `${c.name} (${c.changes.join('; ')})`).join(', ') || null,
    peersChanged: p.speaker.remove.length + p.speaker.add.length,
  };
}
