/**
 * Where a check through the data path leaves from: the director's source address towards a
 * realserver (the kernel's route), the interface holding it, and, for direct routing, the
 * realserver's MAC from the kernel's neighbour table (resolved by the kernel, never by us).
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { errorReason } from '../monitor.js';
import type { CheckSignal } from '../check-signal.js';

export interface Egress {
  /** The director's address the kernel picks for the realserver. */
  src: string;
  /** The interface holding `src`, and its index. */
  dev: string;
  ifindex: number;
}

/** The MAC of `ip` on `dev` from /proc/net/arp's text (complete entries only), or null. Pure. */
export function arpLookup(text: string, ip: string, dev: string): Buffer | null {
  for (const line of text.split('\n').slice(1)) {
    const [addr, , flags, mac, , device] = line.trim().split(/\s+/);
    if (addr !== ip || device !== dev || mac === undefined || flags === undefined) continue;
    // ATF_COM (0x2): the entry is complete; an all-zero address is an unresolved one.
    if ((Number.parseInt(flags, 16) & 0x2) === 0 || /^(00:){5}00$/.test(mac)) continue;
    return Buffer.from(mac.split(':').map((h) => Number.parseInt(h, 16)));
  }
  return null;
}

/** A UDP socket connected to ip:9 (discard); `send` makes the kernel resolve the neighbour. */
async function withProbeSocket<T>(ip: string, use: (src: string, nudge: () => void) => Promise<T>): Promise<T> {
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.connect(9, ip, () => { sock.off('error', reject); resolve(); });
    });
    sock.on('error', () => undefined); // an ICMP error on the nudge is of no interest
    return await use(sock.address().address, () => sock.send(Buffer.alloc(0)));
  } finally {
    sock.close();
  }
}

async function egressOf(src: string): Promise<Egress> {
  for (const [dev, addrs] of Object.entries(networkInterfaces())) {
    if (!addrs?.some((a) => a.address === src)) continue;
    const ifindex = Number((await readFile(`/sys/class/net/${dev}/ifindex`, 'utf8')).trim());
    return { src, dev, ifindex };
  }
  throw new Error(`no interface holds the source address ${src}`);
}

/** The source address and interface towards `ip`, as the kernel routes it. */
export async function egressTo(ip: string): Promise<Egress> {
  return withProbeSocket(ip, (src) => egressOf(src));
}

const NUDGE_WAIT_MS = 50;

/**
 * The egress towards `ip` and its MAC; when the neighbour table has none, nudges the kernel into
 * resolving it and waits up to `waitMs` (or until `signal`). Throws with the reason.
 */
export async function neighbourOf(ip: string, signal: CheckSignal, waitMs: number): Promise<Egress & { mac: Buffer }> {
  const tries = Math.max(1, Math.floor(waitMs / NUDGE_WAIT_MS));
  return withProbeSocket(ip, async (src, nudge) => {
    const e = await egressOf(src);
    for (let i = 0; i <= tries && !signal.aborted; i++) {
      let text: string;
      try { text = await readFile('/proc/net/arp', 'utf8'); } catch (err) { throw new Error(`cannot read /proc/net/arp: ${errorReason(err)}`); }
      const mac = arpLookup(text, ip, e.dev);
      if (mac) return { ...e, mac };
      if (i === tries) break;
      nudge();
      await new Promise((r) => setTimeout(r, NUDGE_WAIT_MS));
    }
    throw new Error(`no MAC address for ${ip} on ${e.dev} (direct routing needs the realserver on a directly connected network)`);
  });
}
