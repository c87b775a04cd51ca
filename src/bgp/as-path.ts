import type { Writer } from './bytes.js';
import type { Reader } from './reader.js';
import { AS_TRANS, AsPathSegmentCode } from './constants.js';
import type { AsPathSegment, AsPathSegmentType } from './types.js';

const SEGMENT_TYPES: readonly (AsPathSegmentType | undefined)[] = [undefined, 'AS_SET', 'AS_SEQUENCE', 'AS_CONFED_SEQUENCE', 'AS_CONFED_SET'];

/** Segments of an AS_PATH or AS4_PATH value (RFC 4271 §4.3), or a reason it is malformed. */
export function decodeAsPath(r: Reader, asSize: 2 | 4): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  const start = r.pos;
  while (r.left > 0) {
    const at = r.pos - start;
    if (r.left < 2) return `segment header at offset ${at} is truncated`;
    const code = r.u8();
    const type = SEGMENT_TYPES[code];
    const count = r.u8();
    // RFC 7606 §7.2: an unknown segment type, a zero-length segment or an overrun is malformed
    if (!type) return `unknown segment type ${code}`;
    if (count === 0) return `segment at offset ${at} has zero length`;
    if (!r.has(count * asSize)) return `segment of ${count} ASes overruns the attribute`;
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++) asns[i] = asSize === 4 ? r.u32() : r.u16();
    segments.push({ type, asns });
  }
  return segments;
}

/** Writes segments with 2- or 4-octet ASes; with 2 octets, ASes above 65535 become AS_TRANS (RFC 6793 §4.2.2). */
export function writeAsPath(w: Writer, segments: AsPathSegment[], asSize: 2 | 4): void {
  for (const s of segments) {
    const asns = s.asns;
    for (let from = 0; from < asns.length; from += 255) {
      const to = Math.min(asns.length, from + 255);
      w.ensure(2 + (to - from) * asSize);
      w.u8(AsPathSegmentCode[s.type]);
      w.u8(to - from);
      for (let i = from; i < to; i++) {
        const asn = asns[i]!;
        if (asSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn);
      }
    }
  }
}

/** True when some AS needs 4 octets. */
export function needsFourOctets(segments: AsPathSegment[]): boolean {
  return segments.some((s) => s.asns.some((a) => a > 0xffff));
}

/** The AS count of RFC 4271 §9.1.2.2: a set counts once, confederation segments not at all. */
export function pathLength(segments: AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === 'AS_SEQUENCE') n += s.asns.length;
    else if (s.type === 'AS_SET') n += 1;
  }
  return n;
}

/**
 * Rebuilds the real path from a 2-octet AS_PATH and an AS4_PATH (RFC 6793 §4.2.3): the leading
 * ASes of AS_PATH that AS4_PATH lacks, then AS4_PATH. AS4_PATH is ignored when it is longer.
 */
export function mergeAs4Path(asPath: AsPathSegment[], as4Path: AsPathSegment[]): AsPathSegment[] {
  const n2 = pathLength(asPath);
  const n4 = pathLength(as4Path);
  if (n2 < n4) return asPath;
  let keep = n2 - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep === 0) break;
    if (s.type === 'AS_SEQUENCE') {
      const take = Math.min(keep, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      keep -= take;
    } else if (s.type === 'AS_SET') {
      out.push({ type: s.type, asns: [...s.asns] });
      keep -= 1;
    } else {
      out.push({ type: s.type, asns: [...s.asns] });
    }
  }
  as4Path.forEach((s, i) => {
    const last = out[out.length - 1];
    // where the two parts meet, adjacent AS_SEQUENCEs are one sequence (RFC 4271 §5.1.2), up to 255 ASes
    if (i === 0 && last && last.type === 'AS_SEQUENCE' && s.type === 'AS_SEQUENCE' && last.asns.length + s.asns.length <= 255) last.asns.push(...s.asns);
    else out.push({ type: s.type, asns: [...s.asns] });
  });
  return out;
}
