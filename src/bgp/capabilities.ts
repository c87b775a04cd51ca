import { ErrorCode, GracefulRestart, OpenSubcode } from './constants.js';
import type { Writer } from './bytes.js';
import type { Reader } from './reader.js';
import { fail } from './errors.js';
import type { Capability } from './types.js';

/** RFC 5492 §3 gives no subcode for a malformed capability value; we send OPEN Message Error / Unspecific. */
function bad(code: number, detail: string): never {
  return fail(ErrorCode.OPEN, OpenSubcode.UNSPECIFIC, 'session-reset', `OPEN: capability ${code}: ${detail}`);
}

function expectLength(code: number, len: number, ok: boolean, what: string): void {
  if (!ok) bad(code, `value length ${len} is not ${what}`);
}

/** Decodes one capability value (RFC 5492 §4 and each capability's RFC). */
export function decodeCapability(code: number, r: Reader): Capability {
  const len = r.left;
  switch (code) {
    case 1: // RFC 4760 §8
      expectLength(code, len, len === 4, '4');
      { const afi = r.u16(); r.skip(1); return { code, name: 'multiprotocol', afi, safi: r.u8() }; }
    case 2:
    case 128: // RFC 2918 §3
      expectLength(code, len, len === 0, '0');
      return { code, name: 'route-refresh' };
    case 5: { // RFC 8950 §3
      expectLength(code, len, len % 6 === 0, 'a multiple of 6');
      const entries = [];
      while (r.left > 0) entries.push({ afi: r.u16(), safi: r.u16(), nextHopAfi: r.u16() });
      return { code, name: 'extended-next-hop', entries };
    }
    case 6: // RFC 8654 §3
      expectLength(code, len, len === 0, '0');
      return { code, name: 'extended-message' };
    case 9: // RFC 9234 §4.1
      expectLength(code, len, len === 1, '1');
      return { code, name: 'bgp-role', role: r.u8() };
    case 64: { // RFC 4724 §3
      expectLength(code, len, len >= 2 && (len - 2) % 4 === 0, '2 plus a multiple of 4');
      const word = r.u16();
      const families = [];
      while (r.left > 0) families.push({ afi: r.u16(), safi: r.u8(), flags: r.u8() });
      return { code, name: 'graceful-restart', restartFlags: word >>> 12, restartTime: word & GracefulRestart.MAX_TIME, families };
    }
    case 65: // RFC 6793 §3
      expectLength(code, len, len === 4, '4');
      return { code, name: 'four-octet-as', asn: r.u32() };
    case 69: { // RFC 7911 §4
      expectLength(code, len, len % 4 === 0, 'a multiple of 4');
      const families = [];
      while (r.left > 0) families.push({ afi: r.u16(), safi: r.u8(), sendReceive: r.u8() });
      return { code, name: 'add-path', families };
    }
    case 70: // RFC 7313 §3.1
      expectLength(code, len, len === 0, '0');
      return { code, name: 'enhanced-route-refresh' };
    case 71: { // RFC 9494 §4.1
      expectLength(code, len, len % 7 === 0, 'a multiple of 7');
      const families = [];
      while (r.left > 0) families.push({ afi: r.u16(), safi: r.u8(), flags: r.u8(), staleTime: r.u24() });
      return { code, name: 'long-lived-graceful-restart', families };
    }
    case 73: { // draft-walton-bgp-hostname-capability §3
      const hl = len >= 1 ? r.peek() : -1;
      const dl = hl >= 0 && 1 + hl < len ? r.peek(1 + hl) : -1;
      expectLength(code, len, dl >= 0 && len === 2 + hl + dl, 'consistent with its hostname and domain lengths');
      const text = (): string => Buffer.from(r.bytes(r.u8())).toString('latin1');
      const hostname = text();
      return { code, name: 'fqdn', hostname, domain: text() };
    }
    default:
      return { code, name: 'unknown', value: r.rest() };
  }
}

/** Writes one capability TLV: code, length, value. */
export function writeCapability(w: Writer, c: Capability): void {
  w.u8(c.code);
  const lenAt = w.pos;
  w.u8(0);
  switch (c.name) {
    case 'multiprotocol':
      w.u16(c.afi); w.u8(0); w.u8(c.safi);
      break;
    case 'route-refresh':
    case 'extended-message':
    case 'enhanced-route-refresh':
      break;
    case 'extended-next-hop':
      for (const e of c.entries) { w.u16(e.afi); w.u16(e.safi); w.u16(e.nextHopAfi); }
      break;
    case 'bgp-role':
      w.u8(c.role);
      break;
    case 'graceful-restart':
      w.u16(((c.restartFlags & 0xf) << 12) | (c.restartTime & GracefulRestart.MAX_TIME));
      for (const f of c.families) { w.u16(f.afi); w.u8(f.safi); w.u8(f.flags); }
      break;
    case 'four-octet-as':
      w.u32(c.asn);
      break;
    case 'add-path':
      for (const f of c.families) { w.u16(f.afi); w.u8(f.safi); w.u8(f.sendReceive); }
      break;
    case 'long-lived-graceful-restart':
      for (const f of c.families) {
        w.u16(f.afi); w.u8(f.safi); w.u8(f.flags); w.u8(f.staleTime >>> 16); w.u16(f.staleTime & 0xffff);
      }
      break;
    case 'fqdn': {
      const h = Buffer.from(c.hostname, 'latin1');
      const d = Buffer.from(c.domain, 'latin1');
      w.u8(h.length); w.bytes(h); w.u8(d.length); w.bytes(d);
      break;
    }
    case 'unknown':
      w.bytes(c.value);
      break;
  }
  const len = w.pos - lenAt - 1;
  if (len > 255) throw new RangeError(`capability ${c.code} value of ${len} octets exceeds 255`);
  w.patch8(lenAt, len);
}
