import type { ConfigIssue } from '../config/issues.js';
import { parsePythonLiteral, pyRepr, type PyValue } from '../config/python-literal.js';
import { runAll, runSliced, type Step } from './sliced.js';
import type { PoolParseResult, PoolServer } from './types.js';

export type PoolFormat = 'legacy' | 'json';

const MAX_WEIGHT = 65535;
const KNOWN_KEYS = new Set(['host', 'weight', 'enabled', 'port']);

/** `.json` names are JSON, anything else is PyBal's one-dict-per-line format (PYBAL.md §2.1). */
export function formatOf(name: string): PoolFormat {
  return /\.json$/i.test(name.replace(/[?#].*$/, '')) ? 'json' : 'legacy';
}

export function parsePool(text: string, file: string, format: PoolFormat = formatOf(file)): PoolParseResult {
  const job = poolJob(text, file, format);
  runAll(job.step);
  return job.result();
}

/** parsePool in slices of at most `sliceMs` of work, the event loop running in between (sliced.ts). */
export async function parsePoolSliced(text: string, file: string, format: PoolFormat = formatOf(file), sliceMs?: number): Promise<PoolParseResult> {
  const job = poolJob(text, file, format);
  await runSliced(job.step, sliceMs);
  return job.result();
}

/** A parse as steps (a line, an entry) and its result once the steps are done. */
interface PoolJob { step: Step; result: () => PoolParseResult }

function poolJob(text: string, file: string, format: PoolFormat): PoolJob {
  return format === 'json' ? jsonJob(text, file) : legacyJob(text, file);
}

type Field = { kind: 'str' | 'int' | 'bool'; value: string | number | boolean } | { kind: 'other'; text: string };

interface Acc { servers: Map<string, PoolServer>; errors: ConfigIssue[]; warnings: ConfigIssue[]; file: string; bad: Set<string> }

const newAcc = (file: string): Acc => ({ servers: new Map(), errors: [], warnings: [], file, bad: new Set() });

/** A host named by a line too broken to parse (`'host': 'mw1'`), so that host keeps its last good entry. */
function hostIn(line: string): string | null {
  const m = /['"]host['"]\s*:\s*['"]([^'"\s]+)['"]/.exec(line);
  return m ? m[1]! : null;
}

/** Checks one server's fields; records issues at `line`; returns the server or null. */
function server(acc: Acc, line: number, host: string | null, fields: Map<string, Field>): PoolServer | null {
  const err = (message: string): null => { acc.errors.push({ file: acc.file, line, message }); return null; };
  if (host === null) return err("missing 'host'");
  if (host.trim() === '' || /\s/.test(host)) return err(`host must be a hostname or address, got '${host}'`);
  const bad = (message: string): null => { acc.bad.add(host); return err(message); };
  const weight = fields.get('weight');
  const enabled = fields.get('enabled');
  const port = fields.get('port');
  const s: PoolServer = { host, weight: 10, enabled: true };
  if (weight === undefined) acc.warnings.push({ file: acc.file, line, message: `${host}: no 'weight', using 10` });
  else if (weight.kind !== 'int') return bad(`${host}: weight must be an integer, got ${show(weight)}`);
  else if ((weight.value as number) < 0 || (weight.value as number) > MAX_WEIGHT) return bad(`${host}: weight must be between 0 and ${MAX_WEIGHT}, got ${weight.value}`);
  else s.weight = weight.value as number;
  if (enabled === undefined) acc.warnings.push({ file: acc.file, line, message: `${host}: no 'enabled', using True` });
  else if (enabled.kind !== 'bool') return bad(`${host}: enabled must be True or False, got ${show(enabled)}`);
  else s.enabled = enabled.value as boolean;
  if (port !== undefined) {
    if (port.kind !== 'int' || (port.value as number) < 1 || (port.value as number) > 65535) return bad(`${host}: port must be an integer 1-65535, got ${show(port)}`);
    s.port = port.value as number;
  }
  for (const k of fields.keys()) {
    if (!KNOWN_KEYS.has(k)) acc.warnings.push({ file: acc.file, line, message: `${host}: unknown key '${k}' ignored` });
  }
  // Deleted and set again: the last entry wins, at the position of its last line.
  if (acc.servers.delete(host)) acc.warnings.push({ file: acc.file, line, message: `${host} is listed again; the last entry wins` });
  acc.servers.set(host, s);
  return s;
}

function show(f: Field): string {
  if (f.kind === 'other') return f.text;
  if (f.kind === 'str') return `'${f.value}'`;
  if (f.kind === 'bool') return f.value ? 'True' : 'False';
  return String(f.value);
}

function pyField(v: PyValue): Field {
  if (v.kind === 'str') return { kind: 'str', value: v.value };
  if (v.kind === 'int') return { kind: 'int', value: v.value };
  if (v.kind === 'bool') return { kind: 'bool', value: v.value };
  return { kind: 'other', text: pyRepr(v) };
}

/** `{ 'host': 'mw1200', 'weight': 10, 'enabled': True }` per line; `#` comments, blank lines. */
export function parseLegacyPool(text: string, file: string): PoolParseResult {
  const job = legacyJob(text, file);
  runAll(job.step);
  return job.result();
}

/** One step per line, found with indexOf (no array of every line). */
function legacyJob(text: string, file: string): PoolJob {
  const acc = newAcc(file);
  let start = 0;
  let line = 0;
  const step = (): boolean => {
    if (start > text.length) return false;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    legacyLine(acc, text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end), line);
    start = end + 1;
    return start <= text.length;
  };
  return { step, result: () => result(acc) };
}

function legacyLine(acc: Acc, raw: string, line: number): void {
  const file = acc.file;
  const t = raw.trim();
  if (t === '' || t.startsWith('#')) return;
  const r = parsePythonLiteral(t);
  const indent = raw.length - raw.trimStart().length;
  const named = r.ok && r.value.kind === 'dict' ? null : hostIn(t);
  if (named) acc.bad.add(named);
  if (!r.ok) {
    acc.errors.push({ file, line, column: indent + r.error.column, message: `${r.error.message}; line skipped` });
    return;
  }
  if (r.value.kind !== 'dict') {
    acc.errors.push({ file, line, message: `expected a dict like { 'host': 'mw1200', 'weight': 10, 'enabled': True }, got ${pyRepr(r.value)}` });
    return;
  }
  const fields = new Map<string, Field>();
  for (const [k, v] of r.value.entries) {
    if (k.kind !== 'str') {
      const h = hostIn(t);
      if (h) acc.bad.add(h);
      acc.errors.push({ file, line, message: `keys must be strings, got ${pyRepr(k)}` });
      return;
    }
    fields.set(k.value, pyField(v));
  }
  const host = fields.get('host');
  fields.delete('host');
  if (host && host.kind !== 'str') { acc.errors.push({ file, line, message: `host must be a string, got ${show(host)}` }); return; }
  server(acc, line, host ? (host.value as string) : null, fields);
}

/** `{ "mw1200": { "enabled": true, "weight": 10, "port": 8080 }, ... }` */
export function parseJsonPool(text: string, file: string): PoolParseResult {
  const job = jsonJob(text, file);
  runAll(job.step);
  return job.result();
}

/** JSON.parse in one piece (native, fast), then the key-to-line map and the entries in steps. */
function jsonJob(text: string, file: string): PoolJob {
  let out: PoolParseResult | null = null;
  let phase: 'parse' | 'lines' | 'entries' | 'done' = 'parse';
  let lines: Step = () => false;
  let lineOf = new Map<string, number>();
  let entries: [string, unknown][] = [];
  let i = 0;
  const acc = newAcc(file);
  const step = (): boolean => {
    if (phase === 'parse') {
      const parsed = jsonDoc(text, file, acc);
      if ('fatal' in parsed) { out = parsed.fatal; phase = 'done'; return false; }
      entries = Object.entries(parsed.doc);
      const k = keyLines(text);
      lines = k.step;
      lineOf = k.lines;
      phase = 'lines';
      return true;
    }
    if (phase === 'lines') { if (!lines()) phase = 'entries'; return true; }
    if (phase === 'entries' && i < entries.length) {
      const [host, v] = entries[i++]!;
      jsonEntry(acc, lineOf.get(host) ?? 1, host, v);
      return true;
    }
    phase = 'done';
    return false;
  };
  return { step, result: () => out ?? result(acc) };
}

/** The parsed object, or the fatal result naming where the text is broken. */
function jsonDoc(text: string, file: string, acc: Acc): { doc: Record<string, unknown> } | { fatal: PoolParseResult } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const located = parsePythonLiteral(text, { json: true });
    const where = located.ok ? { line: 1 } : { line: located.error.line, column: located.error.column };
    const why = located.ok ? (e as Error).message : located.error.message;
    acc.errors.push({ file, ...where, message: `invalid JSON: ${why}` });
    return { fatal: { servers: [], errors: acc.errors, warnings: [], fatal: true, badHosts: [] } };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    acc.errors.push({ file, line: 1, message: 'expected an object { "host": { "enabled": true, "weight": 10 }, ... }' });
    return { fatal: { servers: [], errors: acc.errors, warnings: [], fatal: true, badHosts: [] } };
  }
  return { doc: doc as Record<string, unknown> };
}

function jsonEntry(acc: Acc, line: number, host: string, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    acc.bad.add(host);
    acc.errors.push({ file: acc.file, line, message: `${host}: expected { "enabled": true, "weight": 10 }, got ${JSON.stringify(v)}` });
    return;
  }
  const fields = new Map<string, Field>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) fields.set(k, jsonField(x));
  server(acc, line, host, fields);
}

/** Hosts with a bad entry and no good one: they keep their last good entry (SourceState). */
function result(acc: Acc): PoolParseResult {
  const badHosts = [...acc.bad].filter((h) => !acc.servers.has(h));
  return { servers: [...acc.servers.values()], errors: acc.errors, warnings: acc.warnings, fatal: false, badHosts };
}

function jsonField(x: unknown): Field {
  if (typeof x === 'string') return { kind: 'str', value: x };
  if (typeof x === 'boolean') return { kind: 'bool', value: x };
  if (typeof x === 'number' && Number.isInteger(x)) return { kind: 'int', value: x };
  return { kind: 'other', text: JSON.stringify(x) };
}

/** Line of the first `"key":` for each key, in one pass (a step per match), for messages. */
function keyLines(text: string): { lines: Map<string, number>; step: Step } {
  const lines = new Map<string, number>();
  const re = /"((?:[^"\\\n]|\\.)*)"\s*:|\n/g;
  let line = 1;
  const step = (): boolean => {
    const m = re.exec(text);
    if (!m) return false;
    if (m[0] === '\n') { line++; return true; }
    const raw = m[1]!;
    let key: string;
    if (raw.includes('\\')) {
      try { key = JSON.parse(`"${raw}"`) as string; } catch { return true; }
    } else key = raw;
    if (!lines.has(key)) lines.set(key, line);
    for (let i = m.index + raw.length + 2; i < re.lastIndex; i++) if (text.charCodeAt(i) === 10) line++;
    return true;
  };
  return { lines, step };
}
