/**
 * One option value checked against its spec and brought to its kind's form. The same function
 * serves pybal.conf, `vipd probe` and the monitors, so the three cannot disagree. Pure.
 */
import { parseStatusParts } from './http-status.js';
import type { KindValue, ListSpec, NumberSpec, OptionSpec, OptionValue } from './types.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };
const good = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (error: string): Checked<never> => ({ ok: false, error });

/** How an error shows a value: lists as JSON, anything else quoted. */
export const showValue = (v: OptionValue): string => (Array.isArray(v) ? JSON.stringify(v) : `'${String(v)}'`);

// PYBAL.md §1.1: getboolean takes t true y yes on 1 / f false n no off 0, any case.
const TRUE = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE = new Set(['f', 'false', 'n', 'no', 'off', '0']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function number(spec: NumberSpec, v: OptionValue): Checked<number> {
  const integer = spec.kind === 'integer';
  const text = typeof v === 'string' ? v.trim() : null;
  const n = typeof v === 'number' ? v : text !== null && (integer ? INTEGER : NUMBER).test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return bad(`must be ${integer ? 'an integer' : 'a number'}, got ${showValue(v)}`);
  const { min, max } = spec;
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    const span = max === undefined ? `at least ${min}` : min === undefined ? `at most ${max}` : `between ${min} and ${max}`;
    return bad(`must be ${span}, got ${n}`);
  }
  return good(n);
}

function bool(v: OptionValue): Checked<boolean> {
  if (typeof v === 'boolean') return good(v);
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v).trim().toLowerCase();
    if (TRUE.has(s)) return good(true);
    if (FALSE.has(s)) return good(false);
  }
  return bad(`must be yes/no (true/false, on/off, 1/0), got ${showValue(v)}`);
}

function items(spec: ListSpec, list: readonly string[], v: OptionValue): Checked<readonly string[]> {
  if (spec.kind === 'strings' && list.some((s) => s === '')) return bad(`must not contain an empty string, got ${showValue(v)}`);
  for (const item of list) {
    const e = spec.check?.(item) ?? null;
    if (e !== null) return bad(e);
  }
  return good(list);
}

function list(spec: ListSpec, v: OptionValue): Checked<readonly string[]> {
  if (typeof v === 'boolean') return bad(`must be ${spec.kind === 'statuses' ? 'HTTP statuses' : 'a list of strings'}, got ${showValue(v)}`);
  const raw = Array.isArray(v) ? (v as ReadonlyArray<string | number>).map(String) : null;
  switch (spec.kind) {
    case 'strings': {
      const l = raw ?? [String(v)];
      if (l.length === 0 && spec.required) return bad('must not be empty');
      return items(spec, l, v);
    }
    case 'args':
      // PyBal eval()s runcommand.arguments and needs a list (PYBAL.md §3.4).
      if (raw === null) return bad(`must be a list, e.g. [ '/usr/local/bin/check', server.host ], got ${showValue(v)}`);
      return items(spec, raw, v);
    case 'statuses': {
      const parts = (raw ?? [String(v)]).flatMap((s) => s.split(','));
      const p = parseStatusParts(parts);
      return typeof p === 'string' ? bad(p) : items(spec, p.parts, v);
    }
  }
}

/** The value in its kind's form, or the error (without the key: callers prefix it). */
export function normalise<S extends OptionSpec>(spec: S, v: OptionValue): Checked<KindValue[S['kind']]>;
export function normalise(spec: OptionSpec, v: OptionValue): Checked<KindValue[OptionSpec['kind']]> {
  switch (spec.kind) {
    case 'timeout': {
      if (typeof v === 'string' && v.trim().toLowerCase() === 'auto') return good('auto' as const);
      const n = number(spec, v);
      return n.ok || !n.error.startsWith('must be a number') ? n : bad(`must be a number or auto, got ${showValue(v)}`);
    }
    case 'seconds': case 'number': case 'integer': return number(spec, v);
    case 'bool': return bool(v);
    case 'string': {
      if (typeof v !== 'string' && typeof v !== 'number') return bad(`must be a string, got ${showValue(v)}`);
      const s = String(v);
      if (spec.required && s === '') return bad('is required');
      const e = spec.check?.(s) ?? null;
      return e === null ? good(s) : bad(e);
    }
    default: return list(spec, v);
  }
}
