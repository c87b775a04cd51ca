import { communityText } from './global.js';
import { findMonitor } from '../health/catalogue/index.js';
import type { BgpPeerConfig, OptionValue, ServiceConfig, VipdConfig } from './types.js';

/**
 * The canonical text of a parsed config: every key with its effective value, in a fixed order.
 * It is itself a valid config that parses to the same thing.
 */
export function printConfig(c: VipdConfig): string {
  const out: string[] = [];
  const g = c.global;
  const kv = (k: string, v: string | number | boolean | null | undefined): void => {
    if (v === null || v === undefined) return;
    out.push(`${k} = ${typeof v === 'boolean' ? (v ? 'yes' : 'no') : escapePercent(String(v))}`);
  };
  out.push('[global]');
  kv('bgp', g.bgp);
  kv('bgp-local-asn', g.bgpLocalAsn);
  kv('bgp-as-path', g.bgpAsPath.join(' ') || null);
  kv('bgp-med', g.bgpMed);
  kv('bgp-nexthop-ipv4', g.bgpNexthopIpv4);
  kv('bgp-nexthop-ipv6', g.bgpNexthopIpv6);
  kv('bgp-peer-address', g.bgpPeers.length ? repr(g.bgpPeers.map((p) => p.address)) : null);
  kv('bgp-local-ips', repr(g.bgpLocalIps));
  kv('bgp-local-port', g.bgpLocalPort);
  kv('instrumentation', g.instrumentation);
  kv('instrumentation_port', g.instrumentationPort);
  kv('instrumentation_ips', repr(g.instrumentationIps));
  kv('ipvs-reconcile-interval', g.ipvsReconcileInterval);
  kv('pool-max-removal', g.poolMaxRemoval);
  kv('pool-removal-hold', g.poolRemovalHold);
  // issue 16: only when not the default (the stored expectations predate the keys)
  kv('ipvs-stats-interval', g.ipvsStatsInterval !== 10 ? g.ipvsStatsInterval : null);
  kv('blackhole-action', g.blackholeAction !== 'alert' ? g.blackholeAction : null);
  kv('blackhole-window', g.blackholeWindow !== 60 ? g.blackholeWindow : null);
  kv('bind-vips', g.bindVips || null); // only when set: the stored expectations predate the key
  kv('dry-run', g.dryRun || null);
  kv('advertised_instrumentation_ips', g.advertisedInstrumentationIps.length ? repr(g.advertisedInstrumentationIps) : null);
  kv('admin-token-file', g.adminTokenFile);
  kv('state-file', g.stateFile);
  kv('instrumentation-hostnames', g.instrumentationHostnames?.join(', ') ?? null);
  kv('overrides-source', g.overridesSource?.replace(/\/\/[^@/]*@/, '//***@') ?? null); // issue 17 §2; no etcd password
  kv('instance-name', g.instanceName);
  kv('instance-url', g.instanceUrl);
  kv('bgp-first-round-wait', g.bgpFirstRoundWait !== 5 ? g.bgpFirstRoundWait : null); // only when not the default
  for (const p of g.bgpPeers) {
    out.push('', `[bgp-peer ${p.address}]`);
    printPeer(p, kv);
  }
  for (const s of c.services) {
    out.push('', `[${s.name}]`);
    printService(s, kv);
  }
  return out.join('\n') + '\n';
}

type Put = (k: string, v: string | number | boolean | null | undefined) => void;

function printPeer(p: BgpPeerConfig, kv: Put): void {
  kv('bgp-peer-as', p.peerAs);
  kv('bgp-hold-time', p.holdTime);
  kv('bgp-keepalive', p.keepalive);
  kv('bgp-passive', p.passive);
  kv('bgp-router-id', p.routerId);
  kv('bgp-local-address', p.localAddress);
  kv('bgp-max-prefixes', p.maxPrefixes);
  kv('bgp-max-prefixes-action', p.maxPrefixesAction === 'teardown' ? 'teardown' : null);
  kv('bgp-max-announce', p.maxAnnounce);
  kv('bgp-communities', p.communities.length ? p.communities.map(communityText).join(' ') : null);
  kv('bgp-send-hold-time', p.sendHoldTime);
  kv('bgp-graceful-shutdown-wait', p.gracefulShutdownWait);
  // the secret itself is never printed: the file's path, or '(set)' for an inline password
  kv('bgp-md5-password-file', p.md5?.file);
  kv('bgp-md5-password', p.md5 && p.md5.file === null ? '(set)' : null);
  kv('bgp-ttl-security', p.ttlSecurity || null);
  // only when on: the stored expectations predate the keys
  kv('bgp-graceful-restart', p.gracefulRestart || null);
  kv('bgp-graceful-restart-time', p.gracefulRestart || p.gracefulRestartTime !== 120 ? p.gracefulRestartTime : null);
  kv('bgp-bfd', p.bfd || null);
  if (p.bfd) { kv('bgp-bfd-interval', p.bfdInterval); kv('bgp-bfd-multiplier', p.bfdMultiplier); }
}

function printService(s: ServiceConfig, kv: Put): void {
  kv('protocol', s.protocol);
  kv('ip', s.ip);
  kv('port', s.port);
  kv('scheduler', s.scheduler);
  kv('scheduler-flags', s.schedulerFlags.join(',') || null);
  kv('ops', s.ops);
  kv('ipvs-forwarding', s.forwarding);
  kv('ipvs-persistence', s.persistence);
  kv('config', s.pool);
  kv('pool-interval', s.poolInterval);
  kv('pool-timeout', s.poolTimeout);
  kv('pool-max-servers', s.poolMaxServers);
  kv('pool-max-removal', s.poolMaxRemoval);
  kv('pool-removal-hold', s.poolRemovalHold);
  kv('blackhole-action', s.blackholeAction !== 'alert' ? s.blackholeAction : null);
  kv('blackhole-window', s.blackholeWindow !== 60 ? s.blackholeWindow : null);
  if (/^etcd:/i.test(s.pool)) {
    kv('etcd-insecure', s.etcdInsecure || null);
    kv('etcd-ca', s.etcdCa);
    kv('etcd-cert', s.etcdCert);
    kv('etcd-key', s.etcdKey);
  }
  kv('depool-threshold', s.depoolThreshold);
  kv('bgp', s.bgp);
  kv('bgp-med', s.bgpMed);
  kv('bgp-withdraw-policy', s.bgpWithdrawPolicy);
  kv('bgp-degraded-med', s.bgpDegradedMed);
  kv('monitors', repr(s.monitors.map((m) => m.name)));
  for (const m of s.monitors) {
    const spec = findMonitor(m.kind)?.spec;
    for (const [opt, v] of Object.entries(m.options)) {
      const k = spec?.options[opt]?.kind;
      // As pybal.conf writes each kind: lists as Python literals, statuses as `200,300-399`.
      kv(`${m.kind}.${opt}`, k === 'strings' || k === 'args' || k === undefined ? repr(v) : k === 'statuses' ? (v as string[]).join(',') : (v as string | number | boolean));
    }
    kv(`${m.kind}.rise`, m.rise);
    kv(`${m.kind}.fall`, m.fall);
  }
}

function escapePercent(s: string): string {
  return s.replace(/%/g, '%%').replace(/\n/g, '\n\t');
}

/** Python literal text of an option value. */
export function repr(v: OptionValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  if ('ref' in v && typeof v.ref === 'string') return `server.${v.ref}`;
  return `{${Object.entries(v).map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
}
