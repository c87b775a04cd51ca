/**
 * A TCP check through the data path (issue 16 §3): a SYN to the VIP, delivered to one realserver
 * the way IPVS delivers client traffic to it (direct routing: framed to its MAC; IPIP: inside an
 * RFC 2003 tunnel packet to its address), so the check proves the server accepts connections for
 * the VIP, not only on its own address. Up on the SYN-ACK; a RST or no reply is down; no MAC for
 * the server is down (it is not on a directly connected network). A check this process cannot
 * send (no addon, no CAP_NET_RAW: EPERM) is no verdict (`noVerdict`), never down and never a plain
 * check in disguise: the fault is the director's, and downing every server of the service would
 * withdraw its VIP. Design and privileges: docs/health-datapath.md.
 */
import { randomInt } from 'node:crypto';
import { errorReason, type CheckResult, type Target } from '../monitor.js';
import { nativeAddon, nativeAddonUnavailable } from '../monitors/native-addon.js';
import type { CheckSignal } from '../check-signal.js';
import { OptionError } from '../options.js';
import { ipv4ToInt, readReply, rstPacket, synPacket, type Flow } from './packet.js';
import { egressTo, neighbourOf } from './route.js';

/** The service as the data path sees it: its VIP and how IPVS forwards to realservers. */
export interface DataPath {
  vip: string;
  forwarding: 'dr' | 'tun';
}

const METHOD = { dr: 'direct routing', tun: 'IPIP' } as const;

/** Linux errno values the reasons explain (the addon returns -errno). */
const EPERM = 1, EACCES = 13;

/** A send or receive refused for want of a privilege: this process's fault, not the server's. */
const denied = (code: number): boolean => code === -EPERM || code === -EACCES;

function errnoText(code: number): string {
  if (denied(code)) return `permission denied (errno ${-code}): needs CAP_NET_RAW`;
  return `errno ${-code}`;
}

/**
 * One check. `option` names the setting in reasons (`tcp.via-vip`); `budgetMs` is how long to wait
 * for the reply (a little less than the monitor's timeout, so the reason says what was missing).
 */
export async function checkViaVip(target: Target, path: DataPath, option: string, budgetMs: number, signal: CheckSignal): Promise<CheckResult> {
  const started = performance.now();
  const down = (reason: string): CheckResult => ({ up: false, reason: `${option}: ${reason}`, ms: performance.now() - started });
  const cannot = (reason: string): CheckResult => ({ ...down(reason), noVerdict: true });
  const where = `server ${target.host} (${target.ip})`;
  const addon = nativeAddon();
  if (!addon?.dpStart || !addon.dpStop) return cannot(`cannot check ${where} through the data path: native addon unavailable (${nativeAddonUnavailable() || 'built without datapath support'})`);
  if (ipv4ToInt(target.ip) === null || ipv4ToInt(path.vip) === null) return down(`cannot check ${where}: only IPv4 services and realservers are supported`);
  let mode: 0 | 1, ifindex = 0, mac: Buffer | null = null, src: string;
  try {
    if (path.forwarding === 'dr') {
      const n = await neighbourOf(target.ip, signal, budgetMs / 2); // the rest is the reply's
      mode = 0; ifindex = n.ifindex; mac = n.mac; src = n.src;
    } else {
      mode = 1; src = (await egressTo(target.ip)).src;
    }
  } catch (e) {
    return down(`cannot check ${where} by ${METHOD[path.forwarding]}: ${errorReason(e)}`);
  }
  if (signal.aborted) return down('aborted');
  const flow: Flow = { src, sport: randomInt(49152, 65536), dst: path.vip, dport: target.port, isn: randomInt(0, 2 ** 32) };
  const via = `${path.vip}:${target.port} through ${where} by ${METHOD[path.forwarding]}`;
  return new Promise<CheckResult>((resolve) => {
    let id = -1;
    let timer: NodeJS.Timeout | undefined;
    const finish = (r: CheckResult, reset: boolean): void => {
      if (id < 0) return;
      const done = id;
      id = -1;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      addon.dpStop!(done, reset ? rstPacket(flow) : null);
      resolve(r);
    };
    const onAbort = (): void => finish(down(`aborted waiting for ${via}`), false);
    const onReply = (pkt: Buffer | number): void => {
      if (typeof pkt === 'number') { finish((denied(pkt) ? cannot : down)(`receive failed (${errnoText(pkt)}) for ${via}`), false); return; }
      const r = readReply(pkt, flow);
      if (r.kind === 'syn-ack') finish({ up: true, reason: `SYN-ACK from ${via}`, ms: performance.now() - started }, true);
      else if (r.kind === 'rst') finish(down(`connection refused (RST) by ${via}`), false);
    };
    const rc = addon.dpStart!(mode, ifindex, mac, mode === 1 ? target.ip : null, ipv4ToInt(path.vip)!, target.port, flow.sport, synPacket(flow), onReply);
    if (rc < 0) { resolve((denied(rc) ? cannot : down)(`cannot send to ${via}: ${errnoText(rc)}`)); return; }
    id = rc;
    signal.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish(down(`no reply from ${via} within ${Math.round(budgetMs)} ms (is the VIP configured on the server${path.forwarding === 'tun' ? ' and its ipip tunnel up' : "'s loopback"}?)`), false), Math.max(1, budgetMs - (performance.now() - started)));
  });
}

/** The service a monitor checks for, as the daemon knows it (MonitorDeps.service). */
export interface ServiceRoute {
  vip: string;
  forwarding: 'dr' | 'tun' | 'nat';
}

/**
 * The data path of an option such as `tcp.via-vip = yes`, or an OptionError naming it: there must
 * be a service, its VIP IPv4, and its realservers reached by direct routing or IPIP (with NAT
 * the realservers never carry the VIP).
 */
export function dataPathFor(option: string, service: ServiceRoute | undefined): DataPath {
  if (!service) throw new OptionError(`${option}: needs the service's VIP and forwarding method; set it in a service section`);
  if (service.forwarding === 'nat') throw new OptionError(`${option}: the service forwards by NAT (ipvs-forwarding = nat), where realservers do not carry the VIP; drop the option`);
  if (ipv4ToInt(service.vip) === null) throw new OptionError(`${option}: only IPv4 VIPs are supported, got ${service.vip}`);
  return { vip: service.vip, forwarding: service.forwarding };
}
