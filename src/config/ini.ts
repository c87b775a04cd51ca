import type { ConfigIssue } from './issues.js';

/** Where one line of a (possibly multi-line) value starts in the file; 1-based. */
export interface Segment { line: number; column: number }

export interface IniEntry {
  /** Lower-cased, as ConfigParser's optionxform does. */
  key: string;
  /** The value after `%%` / `%(name)s` interpolation; continuation lines joined with '\n'. */
  value: string;
  line: number;
  /** One per '\n'-separated part of the raw value, to locate errors inside it. */
  segments: Segment[];
  /** True when the value comes from [DEFAULT]. */
  inherited: boolean;
}

export interface IniSection {
  name: string;
  line: number;
  entries: Map<string, IniEntry>;
}

export interface IniResult {
  sections: IniSection[];
  errors: ConfigIssue[];
  /** Repeated sections and keys: legal (the last value wins) but usually a mistake. */
  warnings: ConfigIssue[];
}

interface RawEntry { key: string; parts: string[]; line: number; segments: Segment[] }
interface RawSection { name: string; line: number; entries: Map<string, RawEntry> }

const SECTION = /^\[([^\]]+)\]/;
const OPTION = /^([^:=\s][^:=]*?)\s*([:=])\s*(.*)$/;
const MAX_INTERPOLATION_DEPTH = 10;
/** [DEFAULT] keys × sections: far above any real pybal.conf (tens of sections, a few defaults). */
export const MAX_INHERITED_ENTRIES = 100_000;

/** Python 2 ConfigParser.SafeConfigParser semantics, with every problem located. */
export function parseIni(text: string, file: string): IniResult {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const defaults: RawSection = { name: 'DEFAULT', line: 0, entries: new Map() };
  const sections: RawSection[] = [];
  const byName = new Map<string, RawSection>();
  let cur: RawSection | null = null;
  let last: RawEntry | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '' || line[0] === '#' || line[0] === ';') return;
    if (/^rem(\s|$)/i.test(line)) return;
    if (/^\s/.test(line) && cur && last) {
      const v = line.trim();
      last.parts.push(v);
      last.segments.push({ line: lineNo, column: line.length - line.trimStart().length + 1 });
      return;
    }
    const sec = SECTION.exec(line);
    if (sec) {
      const name = sec[1]!;
      last = null;
      if (name === 'DEFAULT') { cur = defaults; return; }
      // Python 2 merges a repeated section into the first one.
      cur = byName.get(name) ?? null;
      if (cur) warnings.push({ file, line: lineNo, message: `[${name}] appears again (first at line ${cur.line}): its keys are merged into the first, a key set in both takes the later value` });
      if (!cur) {
        cur = { name, line: lineNo, entries: new Map() };
        sections.push(cur);
        byName.set(name, cur);
      }
      return;
    }
    if (!cur) {
      errors.push({ file, line: lineNo, message: `line before any [section] header: '${line.trim()}'` });
      return;
    }
    const opt = OPTION.exec(line);
    if (!opt) {
      errors.push({ file, line: lineNo, message: `cannot parse line (expected 'key = value' or '[section]'): '${line.trim()}'` });
      last = null;
      return;
    }
    let value = opt[3]!;
    const valueStart = line.length - value.length;
    const semi = value.search(/\s;/);
    if (semi !== -1) value = value.slice(0, semi);
    value = value.trim();
    if (value === '""') value = '';
    const key = opt[1]!.trimEnd().toLowerCase();
    const before = cur.entries.get(key);
    if (before) warnings.push({ file, line: lineNo, message: `[${cur.name}] '${key}' is set again (first at line ${before.line}): this value (line ${lineNo}) wins` });
    last = { key, parts: [value], line: lineNo, segments: [{ line: lineNo, column: valueStart + 1 }] };
    cur.entries.set(key, last);
  });

  // Every section inherits every [DEFAULT] key: bound that product, or a small file costs
  // seconds and hundreds of MB (fuzz: 6,000 keys × 600 sections, 63 KB, took 6 s).
  const inherited = defaults.entries.size * sections.length;
  if (inherited > MAX_INHERITED_ENTRIES) {
    const first = Math.min(...[...defaults.entries.values()].map((e) => e.line));
    errors.push({ file, line: first, message: `[DEFAULT] has ${defaults.entries.size} keys and the file ${sections.length} sections: ${inherited} inherited entries, over the limit of ${MAX_INHERITED_ENTRIES}; [DEFAULT] ignored` });
    defaults.entries.clear();
  }
  const out: IniSection[] = [];
  for (const s of sections) {
    const entries = new Map<string, IniEntry>();
    const rawOf = (k: string): RawEntry | undefined => s.entries.get(k) ?? defaults.entries.get(k);
    const keys = new Set([...defaults.entries.keys(), ...s.entries.keys()]);
    for (const k of keys) {
      const raw = rawOf(k)!;
      const inherited = !s.entries.has(k);
      const value = interpolate(raw, rawOf, 0, file, errors, s.name);
      entries.set(k, { key: k, value, line: raw.line, segments: raw.segments, inherited });
    }
    out.push({ name: s.name, line: s.line, entries });
  }
  return { sections: out, errors: dedupe(errors), warnings };
}

function interpolate(
  raw: RawEntry, lookup: (k: string) => RawEntry | undefined, depth: number,
  file: string, errors: ConfigIssue[], section: string,
): string {
  const text = raw.parts.join('\n');
  if (!text.includes('%')) return text;
  // a secret's text never goes into a message (bgp-md5-password)
  const quote = (t: string): string => (/password/.test(raw.key) ? '…' : t);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '%') { out += c; continue; }
    const next = text[i + 1];
    if (next === '%') { out += '%'; i++; continue; }
    const ref = /^\(([^)]*)\)s/.exec(text.slice(i + 1));
    if (next === '(' && ref) {
      const name = ref[1]!.toLowerCase();
      const target = lookup(name);
      if (!target) {
        errors.push({ file, line: raw.line, message: `'${raw.key}' refers to %(${quote(name)})s, which is not set in [${section}] or [DEFAULT]` });
      } else if (depth >= MAX_INTERPOLATION_DEPTH) {
        errors.push({ file, line: raw.line, message: `'${raw.key}': %(...)s references nest too deeply (a loop?)` });
      } else {
        out += interpolate(target, lookup, depth + 1, file, errors, section);
      }
      i += ref[0].length;
      continue;
    }
    errors.push({ file, line: raw.line, message: `'${raw.key}': a literal '%' must be written '%%' (found '${quote(text.slice(i, i + 2))}')` });
  }
  return out;
}

function dedupe(errors: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.line}:${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
