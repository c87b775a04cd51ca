import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { formatIssue, loadConfig, type ServiceConfig } from '../config/index.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { redactUrl } from '../log/redact.js';
import { plan, renderBatch, serviceId, serverId, type Command, type IpvsTable } from '../lvs/index.js';
import { createPoolSource, etcdTlsFiles, type PoolServer } from '../pools/index.js';
import { systemClock } from '../time/clock.js';
import { realServer, serviceKey, virtualService, type PooledServer } from './ipvs-mapping.js';

export interface PlanOptions {
  /** Pool every enabled server, as if all were healthy. */
  allUp: boolean;
  /** The current table (the kernel's, through the Ipvs port, or a saved `ipvsadm -Sn`). */
  current: () => Promise<IpvsTable>;
  logger?: Logger;
  /** Hostname → address of the service's family; default DNS (getaddrinfo). */
  resolve?: (host: string, family: 4 | 6) => Promise<string | null>;
}

export interface PlanOutput { batch: string; commands: Command[]; notes: string[] }

/** Reads one pool source until its first complete list (or its timeout). */
async function readPool(s: ServiceConfig, logger: Logger): Promise<PoolServer[]> {
  const src = createPoolSource(s.pool, { clock: systemClock, logger, timeoutMs: s.poolTimeout * 1000, maxServers: s.poolMaxServers, etcd: etcdTlsFiles(s) });
  try {
    return await new Promise<PoolServer[]>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${s.name}: no server list from ${redactUrl(s.pool)} within ${s.poolTimeout} s`)), s.poolTimeout * 1000 + 1000);
      src.start((list) => { clearTimeout(timer); ok(list); }, (msg) => logger.warn('pool source', { service: s.name, msg }));
    });
  } finally {
    await src.stop();
  }
}

async function dnsResolve(host: string, family: 4 | 6): Promise<string | null> {
  if (ipaddr.isValid(host)) return ipaddr.parse(host).kind() === (family === 4 ? 'ipv4' : 'ipv6') ? host : null;
  try { return (await lookup(host, { family })).address; } catch { return null; }
}

/**
 * The batch that would bring the current table to the configuration. Without `allUp`, health
 * is unknown: enabled servers already in the table stay (with the pool's weight), none is
 * added; disabled or removed servers go. With `allUp`, every enabled server is pooled.
 */
export async function planFromConfig(configPath: string, o: PlanOptions): Promise<PlanOutput> {
  const logger = o.logger ?? silentLogger;
  const resolve = o.resolve ?? dnsResolve;
  const loaded = await loadConfig(configPath);
  if (!loaded.ok) throw new Error(loaded.errors.map(formatIssue).join('\n'));
  const current = await o.current();
  const now = new Map(current.map((s) => [serviceId(s.key), new Set(s.realServers.map(serverId))]));
  const notes: string[] = [];
  const desired = [];
  for (const s of loaded.config.services) {
    const pooled: PooledServer[] = [];
    for (const p of (await readPool(s, logger)).filter((x) => x.enabled)) {
      const ip = await resolve(p.host, s.family);
      if (!ip) { notes.push(`${s.name}: ${p.host} has no IPv${s.family} address; left out`); continue; }
      pooled.push({ ip, weight: p.weight, ...(p.port !== undefined ? { port: p.port } : {}) });
    }
    const full = virtualService(s, pooled.map((p) => realServer(s, p)));
    const inKernel = now.get(serviceId(full.key));
    desired.push(o.allUp ? full : { ...full, realServers: full.realServers.filter((r) => inKernel?.has(serverId(r))) });
  }
  const owned = new Set(loaded.config.services.map((s) => serviceId(serviceKey(s))));
  const foreign = current.filter((s) => !owned.has(serviceId(s.key))).length;
  if (foreign) notes.push(`${foreign} service(s) in the table are not in the configuration: left alone`);
  const commands = plan(desired, current, owned);
  return { batch: renderBatch(commands), commands, notes };
}
