import { sh } from './proc.js';

/**
 * A network namespace joined to the root namespace by a veth pair, with a /30 in 10.255.0.0/16 and a /64 in
 * fd00:255::/32. Names contain the pid so parallel test files never collide.
 */
export interface Netns {
  name: string;
  /** Root-namespace side (the speaker's side). */
  hostIp: string; hostIp6: string; hostIf: string;
  /** Inside the namespace (the router's side). */
  nsIp: string; nsIp6: string; nsIf: string;
  destroy(): Promise<void>;
}

let counter = 0;

/** A /30 of 10.255.0.0/16 derived from the pid, skipping any that is already configured in the root namespace. */
async function freeSlot(n: number): Promise<number> {
  const used = await sh('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 256; i++) {
    const slot = (process.pid * 16 + n + i * 4099) % 16384;
    if (!used.includes(` 10.255.${slot >> 6}.${(slot & 63) * 4 + 1}/`)) return slot;
  }
  throw new Error('no free /30 left in 10.255.0.0/16');
}

export async function createNetns(): Promise<Netns> {
  const n = counter++;
  const slot = await freeSlot(n);
  const a = slot >> 6;
  const b = (slot & 63) * 4;
  const tag = `${process.pid.toString(36)}${n.toString(36)}`;
  const net: Netns = {
    name: `vipd-${process.pid}-${n}`,
    hostIf: `vh${tag}`.slice(0, 15), nsIf: `vn${tag}`.slice(0, 15),
    hostIp: `10.255.${a}.${b + 1}`, nsIp: `10.255.${a}.${b + 2}`,
    hostIp6: `fd00:255:${a.toString(16)}:${b.toString(16)}::1`, nsIp6: `fd00:255:${a.toString(16)}:${b.toString(16)}::2`,
    destroy: async () => {
      await sh('ip', ['link', 'del', net.hostIf]).catch(() => undefined);
      await sh('ip', ['netns', 'del', net.name]).catch(() => undefined);
    },
  };
  try {
    await sh('ip', ['netns', 'add', net.name]);
    await sh('ip', ['link', 'add', net.hostIf, 'type', 'veth', 'peer', 'name', net.nsIf]);
    await sh('ip', ['link', 'set', net.nsIf, 'netns', net.name]);
    await sh('ip', ['addr', 'add', `${net.hostIp}/30`, 'dev', net.hostIf]);
    await sh('ip', ['-6', 'addr', 'add', `${net.hostIp6}/64`, 'dev', net.hostIf, 'nodad']);
    await sh('ip', ['link', 'set', net.hostIf, 'up']);
    await sh('ip', ['-n', net.name, 'link', 'set', 'lo', 'up']);
    await sh('ip', ['-n', net.name, 'addr', 'add', `${net.nsIp}/30`, 'dev', net.nsIf]);
    await sh('ip', ['-n', net.name, '-6', 'addr', 'add', `${net.nsIp6}/64`, 'dev', net.nsIf, 'nodad']);
    await sh('ip', ['-n', net.name, 'link', 'set', net.nsIf, 'up']);
  } catch (err) {
    await net.destroy();
    throw err;
  }
  return net;
}

let loCounter = 0;

/**
 * A fresh block of loopback addresses for this process: 127.A.B.1 for the speaker, .2, .3, ... for routers.
 * Derived from the pid, so parallel test files use different addresses.
 */
export function loopbackBlock(): { speaker: string; router: (i: number) => string } {
  const n = loCounter++;
  const slot = (process.pid * 8 + n) % (250 * 250);
  const prefix = `127.${2 + Math.floor(slot / 250)}.${slot % 250}`;
  return { speaker: `${prefix}.1`, router: (i: number) => `${prefix}.${2 + i}` };
}
