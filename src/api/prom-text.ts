/**
 * Prometheus text exposition (format 0.0.4) exactly as Python's prometheus_client writes it, the
 * library PyBal used: Wikimedia's tools read the text, not the numbers (WMF-TODAY.md "Tools that
 * read PyBal's output": the rolling-restart cookbook wants the value string `1.0`). Pure.
 */

/** One series: labels (printed sorted by name, as prometheus_client does) and a value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** Appended to the family name: `_bucket`, `_sum`, `_count`. */
  suffix?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'summary' | 'histogram';
  samples: Sample[];
  /** Sample lines already rendered (metrics-lines.ts caches them per server), printed after `samples`. */
  lines?: string[];
}

/** Python's repr(float): the shortest round-trip digits; exponent form when decpt ≤ -4 or > 16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, as Python's repr.
  const [mant, exp] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const rest = digits.slice(1);
    return `${sign}${digits[0]}${rest ? `.${rest}` : ''}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * prometheus_client's floatToGoString (utils.py, 0.6.0 as in Debian buster): `+Inf`, `-Inf`,
 * `NaN`, else repr(float) — so `1.0`, `0.0`, `3.0` — except that a positive value with more than
 * 6 digits before the point switches to Go's exponent form (`1733459329.5` → `1.7334593295e+09`).
 */
export function floatToGoString(x: number): string {
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Number.isNaN(x)) return 'NaN';
  const s = pythonFloatRepr(x);
  const dot = s.indexOf('.');
  if (x > 0 && dot > 6) {
    const mantissa = `${s[0]}.${s.slice(1, dot)}${s.slice(dot + 1)}`.replace(/[0.]+$/, '');
    return `${mantissa}e+0${dot - 1}`;
  }
  return s;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** `name{labels}` with the labels sorted by name, as prometheus_client prints them. */
export function seriesName(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (!keys.length) return name;
  // one flat string (join), not a rope of concatenations: the worker keeps ~160,000 of these at 10,000 servers
  const parts = [name, '{'];
  keys.forEach((k, i) => parts.push(i ? ',' : '', k, '="', escapeLabel(labels[k]!), '"'));
  parts.push('}');
  return parts.join('');
}

/** floatToGoString with a fast path for the common case, a small non-negative integer (`12.0`). */
export function valueText(x: number): string {
  return Number.isInteger(x) && x >= 0 && x < 1e6 && !Object.is(x, -0) ? `${x}.0` : floatToGoString(x);
}

export function sampleLine(name: string, s: Sample): string {
  return `${seriesName(name + (s.suffix ?? ''), s.labels)} ${valueText(s.value)}`;
}

/** HELP, TYPE, then each sample, per family (generate_latest's layout); families without samples are left out. */
export function renderFamilies(families: Family[]): string {
  const g = renderFamiliesSliced(families);
  for (let r = g.next(); ; r = g.next()) if (r.done) return r.value;
}

/** renderFamilies, yielding about every `slice` lines (a caller renders in slices between other work). */
export function* renderFamiliesSliced(families: Family[], slice = 2000): Generator<void, string> {
  const parts: string[] = [];
  let out: string[] = [];
  for (const f of families) {
    const lines = f.lines?.filter((l) => l !== '') ?? [];
    if (f.samples.length === 0 && lines.length === 0) continue;
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(sampleLine(f.name, s));
    for (const l of lines) {
      out.push(l);
      if (out.length >= slice) { parts.push(out.join('\n')); out = []; yield; }
    }
  }
  if (out.length) parts.push(out.join('\n'));
  return parts.length ? parts.join('\n') + '\n' : '';
}
