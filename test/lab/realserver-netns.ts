/**
 * A realserver in its own network namespace (test/lab/netns.ts: a veth to the root namespace) as
 * LVS expects one: optionally the VIP on its loopback (direct routing) or on an ipip tunnel device
 * (IPIP), and a TCP listener on 0.0.0.0:port that accepts and closes. For checks through the data
 * path (src/health/datapath). Everything it starts is stopped by pid in `destroy`.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createNetns, type Netns } from './netns.js';
import { sh, startDaemon, waitFor, type Daemon } from './proc.js';

export interface RealserverOptions {
  vip: string;
  /** Where the VIP is: on lo (direct routing), on tunl0 (IPIP: needs the ipip module), or nowhere. */
  vipOn: 'lo' | 'tunnel' | 'none';
  /** The port a listener accepts on (all addresses); null: no listener. */
  port: number | null;
}

export interface Realserver { net: Netns; ip: string; destroy(): Promise<void> }

const LISTENER = "const s=require('net').createServer(c=>c.destroy());s.listen(Number(process.argv[1]),'0.0.0.0',()=>console.log('listening'))";

export async function createRealserver(o: RealserverOptions): Promise<Realserver> {
  const net = await createNetns();
  let listener: Daemon | null = null;
  const inNs = (...args: string[]): Promise<string> => sh('ip', ['netns', 'exec', net.name, ...args]);
  const destroy = async (): Promise<void> => {
    await listener?.stop();
    await net.destroy();
  };
  try {
    if (o.vipOn === 'lo') await inNs('ip', 'addr', 'add', `${o.vip}/32`, 'dev', 'lo');
    if (o.vipOn === 'tunnel') {
      // LVS-TUN realserver: the decapsulating device holds the VIP; rp_filter off, as the
      // inner packet's source is routed through the veth, not the tunnel.
      await inNs('ip', 'link', 'add', 'vipdtun', 'type', 'ipip', 'external');
      await inNs('ip', 'link', 'set', 'vipdtun', 'up');
      await inNs('ip', 'addr', 'add', `${o.vip}/32`, 'dev', 'vipdtun');
      for (const k of ['all', 'default', 'vipdtun']) await inNs('sysctl', '-qw', `net.ipv4.conf.${k}.rp_filter=0`);
    }
    if (o.port !== null) {
      const log = join(tmpdir(), `vipd-rs-${net.name}.log`);
      listener = startDaemon('ip', ['netns', 'exec', net.name, process.execPath, '-e', LISTENER, String(o.port)], log);
      // a node start-up takes ~12 s in the QEMU guest under TCG on a busy host (ipvs-vm/README.md)
      await waitFor(`the listener in ${net.name}`, 30_000, async () => (await inNs('ss', '-Hltn', `sport = :${o.port}`)).includes('LISTEN'), 50);
    }
  } catch (e) {
    await destroy();
    throw e;
  }
  return { net, ip: net.nsIp, destroy };
}
