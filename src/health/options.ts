import { millis, type Millis } from '../time/clock.js';
import type { Schedule } from './monitor.js';

/** Monitor options as pybal.conf gives them (prefix stripped) or `vipd probe --option` does. */
export type OptionValue = string | number | boolean | readonly string[] | readonly number[];
export type MonitorOptions = Readonly<Record<string, OptionValue>>;

export class OptionError extends Error {}

const show = (v: OptionValue): string => (Array.isArray(v) ? JSON.stringify(v) : `'${String(v)}'`);
const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/**
 * Reads typed options, naming the key (`proxyfetch.timeout`) in every error; `finish()` rejects
 * keys nobody asked for, so a typo is an error instead of a silently ignored option.
 */
export class OptionReader {
  private readonly used = new Set<string>();
  constructor(private readonly prefix: string, private readonly options: MonitorOptions) {}

  fail(key: string, message: string): never {
    throw new OptionError(`${this.prefix}.${key}: ${message}`);
  }

  private get(key: string): OptionValue | undefined {
    this.used.add(key);
    return this.options[key];
  }

  has(key: string): boolean {
    this.used.add(key);
    return this.options[key] !== undefined;
  }

  number(key: string, def: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    const v = this.get(key);
    if (v === undefined) return def;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    const what = opts.integer ? 'an integer' : 'a number';
    if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) this.fail(key, `must be ${what}, got ${show(v)}`);
    if (opts.min !== undefined && n < opts.min) this.fail(key, `must be at least ${opts.min}, got ${show(v)}`);
    if (opts.max !== undefined && n > opts.max) this.fail(key, `must be at most ${opts.max}, got ${show(v)}`);
    return n;
  }

  seconds(key: string, def: number, min = 0): Millis {
    return millis(Math.round(this.number(key, def, { min }) * 1000));
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return def;
    if (typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (!Array.isArray(v) && TRUE.has(s)) return true;
    if (!Array.isArray(v) && FALSE.has(s)) return false;
    return this.fail(key, `must be yes/no (true/false), got ${show(v)}`);
  }

  string(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, `must be a string, got ${show(v)}`);
    return v;
  }

  requiredString(key: string): string {
    const s = this.string(key);
    if (s === undefined || s === '') this.fail(key, 'is required');
    return s;
  }

  /**
   * A string (or number) or a non-empty list of them (PyBal accepts both for url, hostnames);
   * `argv`: any list, empty strings included (an argument vector, passed as given).
   */
  stringList(key: string, required: boolean, argv = false): string[] {
    const v = this.get(key);
    if (v === undefined) {
      if (required) this.fail(key, 'is required');
      return [];
    }
    const list = typeof v === 'string' || typeof v === 'number' ? [String(v)] : Array.isArray(v) ? v.map(String) : null;
    if (list === null) return this.fail(key, `must be a string or a list of strings, got ${show(v)}`);
    if (!argv && (list.length === 0 || list.some((s) => s === ''))) this.fail(key, `must not be empty, got ${show(v)}`);
    return list;
  }

  /** Rejects keys that no reader asked for. */
  finish(): void {
    const unknown = Object.keys(this.options).filter((k) => !this.used.has(k)).sort();
    if (unknown.length > 0) {
      const known = [...this.used].sort().join(', ');
      throw new OptionError(`${this.prefix}.${unknown[0]}: unknown option (known: ${known})`);
    }
  }
}

/** `interval`, `timeout`, `rise`, `fall`: the options every kind shares, with its own defaults. */
export function readSchedule(r: OptionReader, defaults: { interval: number; timeout: number }): Schedule {
  const intervalMs = r.seconds('interval', defaults.interval, 0.01);
  const timeoutMs = r.seconds('timeout', defaults.timeout, 0.001);
  const rise = r.number('rise', 1, { min: 1, max: 1000, integer: true });
  const fall = r.number('fall', 1, { min: 1, max: 1000, integer: true });
  return { intervalMs, timeoutMs, rise, fall };
}
