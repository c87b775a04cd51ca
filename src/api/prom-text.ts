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
  /** Writes the family's per-server samples straight into the body, after `samples`, yielding between slices (metrics-lines.ts). */
  write?: (w: PromWriter) => Generator<void, void>;
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

/** `name{labels}` with the labels sorted by name, as prometheus_client prints them (name '': the labels' text alone). */
export function seriesName(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (!keys.length) return name;
  // one flat string (join), not a rope of concatenations: the worker keeps ~160,000 of these at 10,000 servers
  const parts = [name, '{'];
  keys.forEach((k, i) => parts.push(i ? ',' : '', k, '="', escapeLabel(labels[k]!), '"'));
  parts.push('}');
  return parts.join('');
}

/** The common value, a small non-negative integer, which prints as its digits and `.0` (`12.0`). */
const isSmallCount = (x: number): boolean => Number.isInteger(x) && x >= 0 && x < 1e6 && !Object.is(x, -0);

/** floatToGoString with a fast path for the common case (isSmallCount). */
export function valueText(x: number): string {
  return isSmallCount(x) ? `${x}.0` : floatToGoString(x);
}

/**
 * The exposition text written straight into bytes (issue 13 §3): at 10,000 realservers a body holds
 * ~120,000 lines, and building a string per line, joining them and encoding the result was most of
 * what the API worker allocated (its garbage collections paused /metrics). A series' labels are
 * written from a cached flat string (metrics-lines.ts), an integer value from its digits.
 */
export class PromWriter {
  private buf: Buffer;
  private len = 0;

  /** `sizeHint`: the bytes expected (the last body's size), so that the buffer is rarely copied to grow. */
  constructor(sizeHint = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, Math.ceil(sizeHint)));
  }

  /** Bytes written so far. */
  get length(): number { return this.len; }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.len + n));
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  /** Text as UTF-8 (at most 3 bytes per UTF-16 unit). */
  text(s: string): void {
    this.room(3 * s.length);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** One sample line: `name{labels} value\n` (`labels`: seriesName('', …), '' for none), the value as valueText prints it. */
  sample(name: string, value: number, labels = ''): void {
    this.text(name);
    if (labels !== '') this.text(labels);
    if (isSmallCount(value)) {
      this.room(10);
      const b = this.buf;
      b[this.len++] = 0x20;
      const digits = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : 6;
      for (let i = digits - 1, v = value; i >= 0; i--, v = Math.floor(v / 10)) b[this.len + i] = 0x30 + (v % 10);
      this.len += digits;
      b[this.len++] = 0x2e; // ".0\n"
      b[this.len++] = 0x30;
      b[this.len++] = 0x0a;
      return;
    }
    this.text(` ${floatToGoString(value)}\n`);
  }

  /** Bytes [start, end) of `from` as they are (a family copied from the last body, line-memo.ts). */
  bytes(from: Buffer, start: number, end: number): void {
    this.room(end - start);
    this.len += from.copy(this.buf, this.len, start, end);
  }

  /** Forgets what was written after `at` (a family that wrote no sample is left out). */
  truncate(at: number): void { this.len = Math.min(this.len, at); }

  /** The body: a view of the bytes written (the writer is not used after). */
  finish(): Buffer { return this.buf.subarray(0, this.len); }
}

/** HELP, TYPE, then each sample, per family (generate_latest's layout); families without samples are left out. */
export function renderFamilies(families: Family[]): string {
  const g = renderFamiliesSliced(families, new PromWriter());
  for (let r = g.next(); ; r = g.next()) if (r.done) return r.value.toString('utf8');
}

/** renderFamilies into `w`, yielding where the families' writers yield (a caller renders in slices between other work). */
export function* renderFamiliesSliced(families: Family[], w: PromWriter): Generator<void, Buffer> {
  for (const f of families) {
    const start = w.length;
    w.text(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
    const head = w.length;
    for (const s of f.samples) w.sample(seriesName(f.name + (s.suffix ?? ''), s.labels), s.value);
    if (f.write) yield* f.write(w);
    if (w.length === head) w.truncate(start);
  }
  return w.finish();
}
