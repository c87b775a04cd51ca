import type { ConfigIssue } from '../config/issues.js';
import { parsePythonLiteral, pyRepr, type PyValue } from '../config/python-literal.js';
import type { PoolParseResult, PoolServer } from './types.js';

export type PoolFormat = 'legacy' | 'json';

const MAX_WEIGHT = 65535;

/** `.json` names are JSON, anything else is PyBal's one-dict-per-line format (PYBAL.md §2.1). */
export function formatOf(name: string): PoolFormat {
  return /\.json$/i.test(name.replace(/[?#].*$/, '')) ? 'json' : 'legacy';
}

export function parsePool(text: string, file: string, format: PoolFormat = formatOf(file)): PoolParseResult {
  return format === 'json' ? parseJsonPool(text, file) : parseLegacyPool(text, file);
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
    if (!['host', 'weight', 'enabled', 'port'].includes(k)) acc.warnings.push({ file: acc.file, line, message: `${host}: unknown key '${k}' ignored` });
  }
  if (acc.servers.has(host)) acc.warnings.push({ file: acc.file, line, message: `${host} is listed again; the last entry wins` });
  acc.servers.delete(host);
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
  const acc = newAcc(file);
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
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
  });
  return result(acc);
}

/** `{ "mw1200": { "enabled": true, "weight": 10, "port": 8080 }, ... }` */
export function parseJsonPool(text: string, file: string): PoolParseResult {
  const acc = newAcc(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const located = parsePythonLiteral(text, { json: true });
    const where = located.ok ? { line: 1 } : { line: located.error.line, column: located.error.column };
    const why = located.ok ? (e as Error).message : located.error.message;
    acc.errors.push({ file, ...where, message: `invalid JSON: ${why}` });
    return { servers: [], errors: acc.errors, warnings: [], fatal: true, badHosts: [] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    acc.errors.push({ file, line: 1, message: 'expected an object { "host": { "enabled": true, "weight": 10 }, ... }' });
    return { servers: [], errors: acc.errors, warnings: [], fatal: true, badHosts: [] };
  }
  const lineOf = keyLines(text);
  for (const [host, v] of Object.entries(doc as Record<string, unknown>)) {
    const line = lineOf.get(host) ?? 1;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      acc.bad.add(host);
      acc.errors.push({ file, line, message: `${host}: expected { "enabled": true, "weight": 10 }, got ${JSON.stringify(v)}` });
      continue;
    }
    const fields = new Map<string, Field>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) fields.set(k, jsonField(x));
    server(acc, line, host, fields);
  }
  return result(acc);
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

/** Line of the first `"key":` for each key, in one pass, for messages. */
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const re = /"((?:[^"\\\n]|\\.)*)"\s*:|\n/g;
  let line = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '\n') { line++; continue; }
    let key: string;
    try { key = JSON.parse(`"${m[1]}"`) as string; } catch { continue; }
    if (!lines.has(key)) lines.set(key, line);
    line += m[0].split('\n').length - 1;
  }
  return lines;
}
