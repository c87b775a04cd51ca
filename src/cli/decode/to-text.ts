import type { JsonObject, JsonValue } from './to-json.js';

const BASE = new Set(['ts', 'src', 'dst', 'type', 'length']);

/** The human-readable block of one message: a header line, then one indented line per field that says something. */
export function jsonToText(o: JsonObject, index: number): string {
  const ts = typeof o.ts === 'number' ? o.ts : 0;
  const date = new Date(Math.floor(ts * 1000));
  // a damaged record's timestamp can lie outside what a Date holds (±275,000 years): shown as seconds
  const when = Number.isNaN(date.getTime()) ? `${ts} s (not a date)` : `${date.toISOString().slice(0, 19).replace('T', ' ')}.${fraction(ts)}`;
  const lines = [`#${index} ${when} ${String(o.src)} > ${String(o.dst)} ${String(o.type)} (${String(o.length)} bytes)`];
  for (const [key, value] of Object.entries(o)) {
    if (BASE.has(key) || isEmpty(value)) continue;
    if (key === 'capabilities' && Array.isArray(value)) {
      lines.push('  capabilities:');
      for (const c of value) lines.push(`    ${render(c)}`);
      continue;
    }
    lines.push(`  ${key}: ${render(value)}`);
  }
  return lines.join('\n');
}

function fraction(ts: number): string {
  return Math.round((ts - Math.floor(ts)) * 1e6).toString().padStart(6, '0');
}

function isEmpty(v: JsonValue): boolean {
  return v === null || v === false || (Array.isArray(v) && v.length === 0) || v === '';
}

function render(v: JsonValue): string {
  if (v === null) return '-';
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'object' && x !== null && 'type' in x && 'asns' in x)) {
      return v.map((s) => {
        const seg = s as { type: string; asns: number[] };
        return seg.type === 'AS_SEQUENCE' ? seg.asns.join(' ') : `{${seg.asns.join(',')}}`;
      }).join(' ');
    }
    return v.map(render).join(', ');
  }
  if (typeof v === 'object') {
    return Object.entries(v).filter(([, x]) => !isEmpty(x)).map(([k, x]) => `${k}=${Array.isArray(x) ? `[${render(x)}]` : render(x)}`).join(' ');
  }
  return String(v);
}
