/** `proxyfetch.http_status`: which HTTP statuses count as up. Pure. */

/** Which HTTP statuses count as up; `describe` is used in down reasons. */
export interface StatusRule {
  accepts(status: number): boolean;
  describe: string;
}

const set = (codes: number[], describe: string): StatusRule => {
  const s = new Set(codes);
  return { accepts: (c) => s.has(c), describe };
};

/** Statuses (`200`) and ranges (`200-299`), blanks dropped; the parts in canonical form, or an error. */
export function parseStatusParts(raw: readonly string[]): { parts: string[]; ranges: [number, number][] } | string {
  const trimmed = raw.map((s) => s.trim()).filter((s) => s !== '');
  if (trimmed.length === 0) return 'must name at least one status';
  const parts: string[] = [];
  const ranges: [number, number][] = [];
  for (const p of trimmed) {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(p);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 100 || hi > 599 || hi < lo) return `must be a status 100-599, a list or a range like 200-299, got '${p}'`;
    ranges.push([lo, hi]);
    parts.push(lo === hi && m[2] === undefined ? String(lo) : `${lo}-${hi}`);
  }
  return { parts, ranges };
}

/**
 * The rule for checked parts: absent or 200 keeps PyBal's success set 200-202 (Twisted's page
 * getter); 301, 302 or 303 accept the three redirect codes as PyBal master does (PYBAL.md §3.2);
 * anything else is honoured exactly: a code, a list (`[200, 204]` or `200,204`) or ranges (`200-299`).
 */
export function statusRule(checked: readonly string[] | undefined): StatusRule {
  if (checked === undefined) return set([200, 201, 202], '200-202');
  const p = parseStatusParts(checked);
  if (typeof p === 'string') throw new Error(`http_status ${p}`);
  const { ranges, parts } = p;
  const single = ranges.length === 1 && ranges[0]![0] === ranges[0]![1] ? ranges[0]![0] : null;
  if (single === 200) return set([200, 201, 202], '200-202');
  if (single === 301 || single === 302 || single === 303) return set([301, 302, 303], '301-303');
  return {
    accepts: (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi),
    describe: parts.join(','),
  };
}
