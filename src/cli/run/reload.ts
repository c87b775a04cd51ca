/**
 * SIGHUP: apply a new configuration as a difference. Everything that can fail is checked before
 * anything changes; unchanged services keep their monitors, pools and state; unchanged BGP peers
 * keep their sessions.
 */
import type { ServiceConfig, VipdConfig } from '../../config/index.js';
import type { Monitor } from '../../health/index.js';
import { checkPeer, type PeerConfig } from '../../speaker/index.js';
import type { Daemon } from './daemon.js';
import { ConfigError } from './errors.js';
import { buildMonitors } from './health-adapter.js';
import { serviceKey } from '../ipvs-mapping.js';
import { anyAsWarning, routeSpec, serviceSpec, speakerConfig } from './mapping.js';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const identity = (s: ServiceConfig): unknown => [s.ip, s.port, s.protocol];
const poolOf = (s: ServiceConfig): unknown => [s.pool, s.poolInterval, s.poolTimeout, s.poolMaxServers, s.etcdInsecure, s.etcdCa, s.etcdCert, s.etcdKey];
const monitorsOf = (s: ServiceConfig): unknown => s.monitors;

function peerPlan(d: Daemon, next: VipdConfig): { remove: string[]; add: PeerConfig[]; warnings: { peer: string; w: string }[] } {
  const old = d.config.global;
  const g = next.global;
  if (old.bgp !== g.bgp) throw new ConfigError(`turning bgp ${g.bgp ? 'on' : 'off'} needs a restart`);
  if (!g.bgp || !d.speaker) return { remove: [], add: [], warnings: [] };
  if (old.bgpLocalAsn !== g.bgpLocalAsn) throw new ConfigError('changing bgp-local-asn needs a restart');
  const was = speakerConfig(d.config);
  const now = speakerConfig(next);
  if ('errors' in now) throw new ConfigError(now.errors.join('\n'));
  const before = new Map(('config' in was ? was.config.peers : []).map((p) => [p.address, p]));
  const after = new Map(now.config.peers.map((p) => [p.address, p]));
  const errors = now.config.peers.flatMap((p) => checkPeer(p, `bgp peer ${p.address}`));
  if (errors.length) throw new ConfigError(errors.join('\n'));
  const remove = [...before.keys()].filter((a) => !after.has(a) || !same(before.get(a), after.get(a)));
  const add = [...after.values()].filter((p) => !before.has(p.address) || !same(before.get(p.address), p));
  const warnings = add.filter((p) => before.get(p.address)?.peerAs !== undefined || !before.has(p.address))
    .flatMap((p) => { const w = anyAsWarning(p); return w ? [{ peer: p.address, w }] : []; });
  return { remove, add, warnings };
}

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

export async function applyReload(d: Daemon, next: VipdConfig): Promise<void> {
  const log = d.opts.log;
  const empty = emptyConfigRefusal(d.config, next, d.opts.allowEmpty ?? false);
  if (empty) throw new ConfigError(empty);
  const oldSvcs = new Map(d.config.services.map((s) => [s.name, s]));
  const newSvcs = new Map(next.services.map((s) => [s.name, s]));

  const monitors = new Map<string, Monitor[]>();
  const errors: string[] = [];
  for (const s of next.services) {
    const o = oldSvcs.get(s.name);
    if (o && same(monitorsOf(o), monitorsOf(s)) && same(identity(o), identity(s))) continue;
    const m = buildMonitors(s, { clock: d.opts.clock, logger: log.child({ service: s.name }) });
    if ('error' in m) errors.push(m.error); else monitors.set(s.name, m.monitors);
  }
  if (errors.length) throw new ConfigError(errors.join('\n'));
  const peers = peerPlan(d, next);

  const g = d.config.global;
  const ng = next.global;
  if (g.instrumentation !== ng.instrumentation || g.instrumentationPort !== ng.instrumentationPort
    || !same(g.instrumentationIps, ng.instrumentationIps)) {
    log.warn('instrumentation settings changed; they take effect at the next restart');
  }

  const restartPools: ServiceConfig[] = [];
  for (const [name, o] of oldSvcs) {
    const s = newSvcs.get(name);
    if (s && same(identity(o), identity(s))) {
      if (!same(poolOf(o), poolOf(s))) { await d.stopPool(name); restartPools.push(s); }
      continue;
    }
    await d.stopPool(name);
    d.health.dropService(name);
    if (s) restartPools.push(s);
  }
  for (const s of next.services) if (!oldSvcs.has(s.name)) restartPools.push(s);
  for (const [name, m] of monitors) d.health.setMonitors(name, m);

  for (const addr of peers.remove) await d.speaker?.removePeer(addr, 'peer reconfigured');
  for (const p of peers.add) await d.speaker?.addPeer(p);
  for (const { peer, w } of peers.warnings) log.warn(w, { peer });

  d.config = next;
  // A service added now is ours: when a later reload drops it, it leaves the kernel.
  d.driver.own(next.services.map(serviceKey));
  d.ipvs.setServices(next.services);
  d.coordinator.configure(next.services.map(serviceSpec), routeSpec(next.global));
  for (const s of restartPools) d.startPool(s);
  log.info('reload applied', {
    added: next.services.filter((s) => !oldSvcs.has(s.name)).map((s) => s.name).join(',') || null,
    removed: [...oldSvcs.keys()].filter((n) => !newSvcs.has(n)).join(',') || null,
    peersChanged: peers.remove.length + peers.add.length,
  });
}
