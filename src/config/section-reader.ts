import ipaddr from 'ipaddr.js';
import type { IniEntry, IniSection } from './ini.js';
import { nearest, type ConfigIssue } from './issues.js';
import { parsePythonLiteral, type LiteralOptions, type PyValue } from './python-literal.js';

export interface IssueSink { errors: ConfigIssue[]; warnings: ConfigIssue[] }

/** [DEFAULT] lines already warned about, per parse (its sink). */
const reportedDefaults = new WeakMap<IssueSink, Set<number>>();

const TRUE = ['t', 'true', 'y', 'yes', 'on', '1'];
const FALSE = ['f', 'false', 'n', 'no', 'off', '0'];

interface Range { min?: number; max?: number }

/** Typed reads of one INI section; every problem is recorded with file:line and the section. */
export class SectionReader {
  readonly used = new Set<string>();
  constructor(
    readonly section: IniSection,
    readonly file: string,
    readonly sink: IssueSink,
    readonly label = `[${section.name}]`,
  ) {}

  entry(key: string): IniEntry | undefined {
    this.used.add(key);
    return this.section.entries.get(key);
  }

  has(key: string): boolean { return this.section.entries.has(key); }

  error(line: number, message: string, column?: number): void {
    this.sink.errors.push({ file: this.file, line, message: `${this.label} ${message}`, ...(column ? { column } : {}) });
  }

  warnIf(line: number, message: string | null): void {
    if (message !== null) this.warn(line, message);
  }

  warn(line: number, message: string): void {
    this.sink.warnings.push({ file: this.file, line, message: `${this.label} ${message}` });
  }

  private missing(key: string): void { this.error(this.section.line, `missing required key '${key}'`); }

  /** The raw string; `undefined` default means required. */
  str(key: string, def?: string): string | undefined {
    const e = this.entry(key);
    if (e) return e.value;
    if (def === undefined) this.missing(key);
    return def;
  }

  bool(key: string, def: boolean): boolean {
    const e = this.entry(key);
    if (!e) return def;
    const v = e.value.trim().toLowerCase();
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    this.error(e.line, `${key} must be a boolean (yes/no, true/false, on/off, 1/0), got '${e.value}'`);
    return def;
  }

  int(key: string, def: number | undefined, range: Range = {}): number | undefined {
    const e = this.entry(key);
    if (!e) { if (def === undefined) this.missing(key); return def; }
    const t = e.value.trim();
    if (!/^[+-]?\d+$/.test(t)) {
      this.error(e.line, `${key} must be an integer, got '${e.value}'`);
      return def;
    }
    return this.inRange(e, key, Number(t), range) ?? def;
  }

  num(key: string, def: number | undefined, range: Range = {}): number | undefined {
    const e = this.entry(key);
    if (!e) { if (def === undefined) this.missing(key); return def; }
    const t = e.value.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
      this.error(e.line, `${key} must be a number, got '${e.value}'`);
      return def;
    }
    return this.inRange(e, key, Number(t), range) ?? def;
  }

  private inRange(e: IniEntry, key: string, n: number, r: Range): number | undefined {
    if ((r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max)) {
      const span = r.max === undefined ? `at least ${r.min}` : r.min === undefined ? `at most ${r.max}` : `between ${r.min} and ${r.max}`;
      this.error(e.line, `${key} must be ${span}, got ${e.value.trim()}`);
      return undefined;
    }
    return n;
  }

  choice<T extends string>(key: string, options: readonly T[], def?: T): T | undefined {
    const e = this.entry(key);
    if (!e) { if (def === undefined) this.missing(key); return def; }
    const v = e.value.trim().toLowerCase() as T;
    if (options.includes(v)) return v;
    const near = nearest(v, options);
    this.error(e.line, `${key} must be one of ${options.join(', ')}, got '${e.value}'${near ? ` (did you mean '${near}'?)` : ''}`);
    return def;
  }

  /** An IP address, normalised; `family` restricts it. Empty (an ERB template's nil) = unset. */
  address(key: string, family?: 4 | 6): string | null {
    const e = this.entry(key);
    if (!e || e.value.trim() === '') return null;
    return this.checkAddress(e.value.trim(), key, e.line, family);
  }

  checkAddress(text: string, key: string, line: number, family?: 4 | 6): string | null {
    const a = parseAddress(text);
    if (!a) { this.error(line, `${key} must be an IP address, got '${text}'`); return null; }
    if (family && a.family !== family) { this.error(line, `${key} must be an IPv${family} address, got '${text}'`); return null; }
    return a.text;
  }

  /** A Python literal; syntax errors carry the column. */
  literal(key: string, opts: LiteralOptions = {}): { value: PyValue; entry: IniEntry } | undefined {
    const e = this.entry(key);
    if (!e) return undefined;
    const r = parsePythonLiteral(e.value, opts);
    if (r.ok) return { value: r.value, entry: e };
    const seg = e.segments[r.error.line - 1] ?? e.segments[0]!;
    const column = seg.column + r.error.column - 1;
    this.error(seg.line, `${key}: ${r.error.message}`, column);
    return undefined;
  }

  /** Warn about every key not read, naming the nearest known key. */
  warnUnknown(known: readonly string[], isKnownElsewhere: (key: string) => boolean = () => false): void {
    for (const [key, e] of this.section.entries) {
      if (this.used.has(key)) continue;
      if (e.inherited && isKnownElsewhere(key)) continue;
      // Reported once for [DEFAULT], not once per section inheriting it; checked before the
      // edit-distance search, which was quadratic work per section (fuzz: a 5 KB file took 5 s).
      if (e.inherited) {
        let seen = reportedDefaults.get(this.sink);
        if (!seen) reportedDefaults.set(this.sink, (seen = new Set()));
        if (seen.has(e.line)) continue;
        seen.add(e.line);
      }
      const near = nearest(key, known);
      const message = `unknown key '${key}'${near ? ` (did you mean '${near}'?)` : ''}`;
      if (!e.inherited) this.warn(e.line, message);
      else this.sink.warnings.push({ file: this.file, line: e.line, message: `[DEFAULT] ${message}` });
    }
  }
}

export function parseAddress(text: string): { text: string; family: 4 | 6 } | null {
  if (!ipaddr.isValid(text)) return null;
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const a = ipaddr.parse(text);
  return { text: a.toString(), family: a.kind() === 'ipv4' ? 4 : 6 };
}

/** Strings out of a Python literal that must be a str or a list/tuple of str. */
export function stringList(v: PyValue, allowSingle: boolean): string[] | string {
  if (v.kind === 'str') return allowSingle ? [v.value] : 'must be a list of strings, got a string';
  if (v.kind !== 'list' && v.kind !== 'tuple') return `must be a list of strings, got ${describe(v)}`;
  const out: string[] = [];
  for (const i of v.items) {
    if (i.kind !== 'str') return `must contain only strings, found ${describe(i)}`;
    out.push(i.value);
  }
  return out;
}

export function describe(v: PyValue): string {
  switch (v.kind) {
    case 'str': return `the string '${v.value}'`;
    case 'int': case 'float': return `the number ${v.value}`;
    case 'bool': return v.value ? 'True' : 'False';
    case 'none': return 'None';
    case 'ref': return `server.${v.name}`;
    default: return `a ${v.kind}`;
  }
}
