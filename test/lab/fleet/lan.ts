// One shared Ethernet segment for the multi-balancer lab: a bridge in a namespace of its own (so the
// root namespace's bridge netfilter and firewall never see the traffic), one namespace per member
// (router or balancer) joined to it by a veth, and the root namespace joined too (the test reaches
// every member's API and serves etcd and backends from there). One /24 of 10.255.0.0/16.
import { sh } from '../proc.js';

export interface LanMember {
  /** The member's namespace. */
  netns: string;
  /** Its address on the LAN (/24). */
  ip: string;
  /** Its interface inside its namespace. */
  ifName: string;
}

export interface Lan {
  /** 10.255.A.0/24. */
  subnet: string;
  /** The root namespace's address on the LAN (etcd, backends, the test's own clients). */
  hostIp: string;
  /** The n-th extra address of the root namespace (`10.255.A.(200 + n)`), added on first use: backends. */
  hostAlias(n: number): Promise<string>;
  /** A new namespace on the LAN with address `10.255.A.host`. */
  addMember(role: string, host: number): Promise<LanMember>;
  /** Takes the member's link down (a dead host or a cut cable), or back up. */
  setLink(m: LanMember, up: boolean): Promise<void>;
  destroy(): Promise<void>;
}

let counter = 0;

/** A /24 in 10.255.0.0/16 with no address of the root namespace in it; derived from the pid. */
async function freeBlock(): Promise<number> {
  const used = await sh('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 256; i++) {
    const a = (process.pid * 7 + counter * 31 + i * 37) % 256;
    if (!used.includes(` 10.255.${a}.`)) return a;
  }
  throw new Error('no free /24 left in 10.255.0.0/16');
}

export async function createLan(): Promise<Lan> {
  const n = counter++;
  const a = await freeBlock();
  const tag = `${process.pid.toString(36)}${n.toString(36)}`;
  const hub = `vipd-lan-${process.pid}-${n}`;
  const rootIf = `vfr${tag}`.slice(0, 15);
  const members: LanMember[] = [];
  const aliases = new Map<number, string>();
  let ports = 0;
  const hostIp = `10.255.${a}.254`;

  /** A veth with one end on the hub's bridge and the other, `name`, in `netns` (root when undefined). */
  const plug = async (name: string, netns: string | undefined): Promise<void> => {
    const k = ports++;
    const port = `p${k}`;
    const near = netns ? `vft${tag}${k.toString(36)}`.slice(0, 15) : name;
    await sh('ip', ['link', 'add', near, 'type', 'veth', 'peer', 'name', port, 'netns', hub]);
    await sh('ip', ['-n', hub, 'link', 'set', port, 'master', 'br0', 'up']);
    if (!netns) return;
    await sh('ip', ['link', 'set', near, 'netns', netns]);
    await sh('ip', ['-n', netns, 'link', 'set', near, 'name', name]);
  };

  const lan: Lan = {
    subnet: `10.255.${a}.0/24`,
    hostIp,
    async hostAlias(k) {
      const known = aliases.get(k);
      if (known) return known;
      const ip = `10.255.${a}.${200 + k}`;
      await sh('ip', ['addr', 'add', `${ip}/32`, 'dev', rootIf]);
      aliases.set(k, ip);
      return ip;
    },
    async addMember(role, host) {
      if (!(host >= 1 && host <= 199)) throw new Error(`lan member address .${host} is outside .1-.199`);
      const netns = `vipd-${role}-${process.pid}-${n}-${host}`;
      const ifName = 'lan0';
      await sh('ip', ['netns', 'add', netns]);
      const m: LanMember = { netns, ip: `10.255.${a}.${host}`, ifName };
      members.push(m);
      await plug(ifName, netns);
      await sh('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', netns, 'addr', 'add', `${m.ip}/24`, 'dev', ifName]);
      await sh('ip', ['-n', netns, 'link', 'set', ifName, 'up']);
      return m;
    },
    async setLink(m, up) {
      await sh('ip', ['-n', m.netns, 'link', 'set', m.ifName, up ? 'up' : 'down']);
    },
    async destroy() {
      for (const m of members.splice(0)) await sh('ip', ['netns', 'del', m.netns]).catch(() => undefined);
      await sh('ip', ['link', 'del', rootIf]).catch(() => undefined);
      await sh('ip', ['netns', 'del', hub]).catch(() => undefined);
    },
  };
  try {
    await sh('ip', ['netns', 'add', hub]);
    await sh('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await sh('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
    await plug(rootIf, undefined);
    await sh('ip', ['addr', 'add', `${hostIp}/24`, 'dev', rootIf]);
    await sh('ip', ['link', 'set', rootIf, 'up']);
  } catch (err) {
    await lan.destroy();
    throw err;
  }
  return lan;
}
