/**
 * Monitor option values as pybal.conf writes them, for the catalogue (src/health/catalogue) to
 * check: plain INI text for scalars, Python literals where PyBal eval()s the value (PYBAL.md §1.1).
 * pybal.conf and `vipd probe --option` both come through here.
 */
import type { OptionSpec, OptionValue as MonitorValue } from '../health/catalogue/index.js';
import { parsePythonLiteral, type LiteralError, type PyValue } from './python-literal.js';
import { describe } from './section-reader.js';
import type { OptionValue, ServerRef } from './types.js';

/** True when the option's text is a Python literal: lists always, `http_status` when written as one. */
export function isLiteralOption(spec: OptionSpec, text: string): boolean {
  if (spec.kind === 'strings' || spec.kind === 'args') return true;
  return spec.kind === 'statuses' && /^\s*[[(]/.test(text);
}

/** The catalogue's input (refs as `server.host` text) and the config's own value (refs kept). */
export interface FromLiteral { value: MonitorValue; config: OptionValue }

/** A literal option's Python value, or what is wrong with it (without the key). */
export function fromLiteral(spec: OptionSpec, v: PyValue): FromLiteral | string {
  const items = v.kind === 'list' || v.kind === 'tuple' ? v.items : null;
  switch (spec.kind) {
    case 'args': {
      // PyBal eval()s runcommand.arguments with only `server` in scope (PYBAL.md §1.1).
      if (!items) return `must be a list, e.g. [ '/usr/local/bin/check', server.host ], got ${describe(v)}`;
      const value: string[] = [];
      const config: Array<string | ServerRef> = [];
      for (const i of items) {
        if (i.kind === 'ref') { value.push(`server.${i.name}`); config.push({ ref: i.name }); continue; }
        if (i.kind !== 'str' && i.kind !== 'int' && i.kind !== 'float') return `may contain strings and server.host/ip/port/weight, found ${describe(i)}`;
        value.push(String(i.value));
        config.push(String(i.value));
      }
      return { value, config };
    }
    case 'statuses': {
      const out: string[] = [];
      for (const i of items ?? [v]) {
        if (i.kind !== 'str' && i.kind !== 'int') return `must be HTTP statuses, e.g. [ 200, '300-399' ], found ${describe(i)}`;
        out.push(String(i.value));
      }
      return { value: out, config: out };
    }
    default: {
      if (v.kind === 'str') return { value: v.value, config: v.value };
      if (!items) return `must be a list of strings, got ${describe(v)}`;
      const out: string[] = [];
      for (const i of items) {
        if (i.kind !== 'str') return `must contain only strings, found ${describe(i)}`;
        out.push(i.value);
      }
      return { value: out, config: out };
    }
  }
}

/**
 * One option's text, as pybal.conf or `--option` gives it, to the catalogue's input. `bare`
 * (`vipd probe` only): a list option whose text does not start like a literal is one string.
 */
export function optionFromText(spec: OptionSpec, text: string, opts: { bare?: boolean } = {}):
  { ok: true; value: MonitorValue } | { ok: false; error: string; at?: LiteralError } {
  if (!isLiteralOption(spec, text)) return { ok: true, value: text.trim() };
  if (opts.bare && spec.kind === 'strings' && !/^\s*[[('"]/.test(text)) return { ok: true, value: text.trim() };
  const lit = parsePythonLiteral(text, { refs: spec.kind === 'args' });
  if (!lit.ok) return { ok: false, error: lit.error.message, at: lit.error };
  const f = fromLiteral(spec, lit.value);
  return typeof f === 'string' ? { ok: false, error: f } : { ok: true, value: f.value };
}

/** The health module's input from a parsed config value (server refs become `server.host` text). */
export function toMonitorValue(v: OptionValue): MonitorValue | null {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (!Array.isArray(v)) return null;
  const items = v.map((x) => (x !== null && typeof x === 'object' && !Array.isArray(x) && 'ref' in x ? `server.${String(x.ref)}` : x));
  if (items.every((x) => typeof x === 'number')) return items as number[];
  if (items.every((x) => typeof x === 'string' || typeof x === 'number')) return items.map(String);
  return null;
}
