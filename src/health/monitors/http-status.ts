import { OptionReader } from '../options.js';

/** Which HTTP statuses count as up; `describe` is used in down reasons. */
export interface StatusRule {
  accepts(status: number): boolean;
  describe: string;
}

const set = (codes: number[], describe: string): StatusRule => {
  const s = new Set(codes);
  return { accepts: (c) => s.has(c), describe };
};

/**
 * `http_status`: absent or 200 keeps PyBal's success set 200-202 (Twisted's page getter); 301,
 * 302 or 303 accept the three redirect codes as PyBal master does; anything else is honoured
 * exactly: a code, a list (`[200, 204]` or `200,204`) or ranges (`200-299`).
 */
export function readStatusRule(r: OptionReader, key = 'http_status'): StatusRule {
  if (!r.has(key)) return set([200, 201, 202], '200-202');
  const raw = r.stringList(key, true);
  const parts = raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) r.fail(key, 'must name at least one status');
  const ranges: [number, number][] = [];
  for (const p of parts) {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(p);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 100 || hi > 599 || hi < lo) r.fail(key, `must be a status 100-599, a list or a range like 200-299, got '${p}'`);
    ranges.push([lo, hi]);
  }
  const single = ranges.length === 1 && ranges[0]![0] === ranges[0]![1] ? ranges[0]![0] : null;
  if (single === 200) return set([200, 201, 202], '200-202');
  if (single === 301 || single === 302 || single === 303) return set([301, 302, 303], '301-303');
  return {
    accepts: (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi),
    describe: parts.join(','),
  };
}
