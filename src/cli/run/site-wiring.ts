/**
 * A balancer as one of its site's (issue 17 §2), when `overrides-source` is set: the overrides
 * shared through etcd (override-etcd.ts) and this instance's registration (registrar.ts).
 * Read at start; a reload does not change them (docs/config.md).
 */
import { hostname } from 'node:os';
import type { BgpStatus } from '../../api/types.js';
import { isEstablished } from '../../api/metrics-pybal.js';
import { vipReach } from '../../api/vip-reach.js';
import type { GlobalConfig } from '../../config/index.js';
import type { Coordinator } from '../../coordinator/coordinator.js';
import { memberKey } from '../../coordinator/shared-overrides.js';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../time/clock.js';
import type { Registration } from '../fleet/registration.js';
import { etcdTlsFiles, readEtcdTls } from '../../pools/create.js';
import { openStore } from '../../pools/store.js';
import { outagesOf } from './etcd-outage-wiring.js';
import { EtcdOverrides } from './override-etcd.js';
import type { OverrideControl } from './override-control.js';
import { Registrar } from './registrar.js';

export interface SiteDeps {
  clock: Clock;
  log: Logger;
  global: GlobalConfig;
  overrides: OverrideControl;
  coordinator: Pick<Coordinator, 'raiseAlert' | 'clearAlert' | 'vipDecisions'>;
  bgp(): BgpStatus;
}

export interface Site { stop(): Promise<void> }

export const instanceName = (g: GlobalConfig): string => g.instanceName ?? hostname();

const hostOf = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

/** This balancer as `vipd fleet` sees it; the VIPs announced to an Established peer. */
export function registrationInfo(g: GlobalConfig, d: { coordinator: Pick<Coordinator, 'vipDecisions'>; bgp(): BgpStatus }): Omit<Registration, 'updated'> {
  const ip = g.instrumentationIps.find((a) => a !== '' && a !== '0.0.0.0' && a !== '::') ?? '127.0.0.1';
  const bgp = d.bgp();
  return {
    name: instanceName(g),
    address: g.bgpNexthopIpv4 ?? g.bgpNexthopIpv6 ?? ip,
    url: g.instanceUrl ?? `http://${hostOf(ip)}:${g.instrumentationPort}/`,
    vips: d.coordinator.vipDecisions().filter((v) => vipReach(v, bgp).announcedTo.length > 0).map((v) => v.prefix),
    peers: bgp.peers.filter((p) => isEstablished(p.state)).map((p) => p.peer),
  };
}

/** A reload that changes these keys: they are read at start, say so (the running values stay). */
export function siteReloadWarning(was: GlobalConfig, next: GlobalConfig): string | null {
  const keys = (['overridesSource', 'instanceName', 'instanceUrl'] as const).filter((k) => was[k] !== next[k]);
  if (!keys.length) return null;
  const names = keys.map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  return `${names.join(', ')} changed: read at start only, the running values stay until vipd restarts`;
}

/** Starts both when `overrides-source` is set; null otherwise. */
export function startSite(d: SiteDeps): Site | null {
  const g = d.global;
  if (!g.overridesSource) return null;
  const log = d.log.child({ component: 'site' });
  // etcd3://, etcd3s:// or etcd:// (v2 over TLS); etcd-ca (and for v2 etcd-cert, etcd-key, etcd-insecure) from [global].
  const store = openStore(g.overridesSource, { clock: d.clock, tls: readEtcdTls(etcdTlsFiles(g)) });
  const outages = outagesOf(d.coordinator, log);
  const shared = new EtcdOverrides({
    url: g.overridesSource, store, instance: instanceName(g), clock: d.clock, log,
    unreachable: (endpoint, label, why) => outages.report(endpoint, { id: 'overrides', kind: 'other', label }, why),
    onSet: (set) => d.overrides.fromShared(set),
    alert: (source, message) => { if (message === null) d.coordinator.clearAlert(source); else d.coordinator.raiseAlert(source, 'warning', message); },
    inForce: () => d.overrides.overrides.servers.length + (d.overrides.overrides.instance ? 1 : 0),
  });
  d.overrides.share(shared);
  shared.start();
  const registrar = new Registrar({
    store, key: memberKey(store.prefix, instanceName(g)), clock: d.clock, log,
    info: () => registrationInfo(g, d),
  });
  registrar.start();
  log.info(`overrides shared through ${store.prefix} in etcd (${store.endpoint}); registered as ${instanceName(g)}`);
  return { async stop() { await registrar.stop(); await shared.stop(); } };
}
