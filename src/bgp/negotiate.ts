import { openCapabilities } from './open.js';
import type { Capability, CodecContext, Family, OpenMessage } from './types.js';

function has(caps: Capability[], name: Capability['name']): boolean {
  return caps.some((c) => c.name === name);
}

function addPathFamilies(caps: Capability[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of caps) if (c.name === 'add-path') for (const f of c.families) m.set(`${f.afi}/${f.safi}`, f.sendReceive);
  return m;
}

/**
 * The codec context of a session from both OPENs: 4-octet AS (RFC 6793 §3), extended message
 * (RFC 8654 §3) when both sent them; ADD-PATH per family and direction (RFC 7911 §4).
 */
export function negotiate(local: OpenMessage, remote: OpenMessage): CodecContext {
  const mine = openCapabilities(local);
  const theirs = openCapabilities(remote);
  const ctx: CodecContext = {
    fourOctetAs: has(mine, 'four-octet-as') && has(theirs, 'four-octet-as'),
    extendedMessage: has(mine, 'extended-message') && has(theirs, 'extended-message'),
  };
  const a = addPathFamilies(mine);
  const b = addPathFamilies(theirs);
  const receive: Family[] = [];
  const send: Family[] = [];
  for (const [key, ours] of a) {
    const peer = b.get(key);
    if (peer === undefined) continue;
    const [afi, safi] = key.split('/').map(Number) as [number, number];
    // RFC 7911 §4: receive (1) on one side pairs with send (2) on the other
    if ((ours & 1) && (peer & 2)) receive.push({ afi, safi });
    if ((ours & 2) && (peer & 1)) send.push({ afi, safi });
  }
  if (receive.length) ctx.addPathReceive = receive;
  if (send.length) ctx.addPathSend = send;
  return ctx;
}
