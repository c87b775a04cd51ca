/** Finding monitors in the catalogue and reading a monitor's options through it. Pure. */
import { CATALOGUE, type Catalogue, type MonitorKind } from './monitors.js';
import { normalise } from './normalise.js';
import type { MonitorOptions, MonitorSpec, OptionSpec, ValuesOf } from './types.js';

export const MONITOR_KINDS = Object.keys(CATALOGUE) as MonitorKind[];

export const isMonitorKind = (k: string): k is MonitorKind => Object.hasOwn(CATALOGUE, k);

/** PyBal reads a monitor's options as `<name lower-cased>.<option>` (PYBAL.md §3). */
export const optionPrefix = (kind: MonitorKind): string => kind.toLowerCase();

/** A monitor by its name in any case (`proxyfetch` finds ProxyFetch), or undefined. */
export function findMonitor(name: string): { kind: MonitorKind; spec: MonitorSpec } | undefined {
  const kind = MONITOR_KINDS.find((k) => k.toLowerCase() === name.toLowerCase());
  return kind ? { kind, spec: CATALOGUE[kind] } : undefined;
}

export function optionSpec(kind: MonitorKind, key: string): OptionSpec | undefined {
  const options: Readonly<Record<string, OptionSpec>> = CATALOGUE[kind].options;
  return Object.hasOwn(options, key) ? options[key] : undefined;
}

/** Every `<prefix>.<option>` key of every monitor. */
export const MONITOR_KEYS: readonly string[] = MONITOR_KINDS.flatMap((k) => Object.keys(CATALOGUE[k].options).map((o) => `${optionPrefix(k)}.${o}`));

export class OptionError extends Error {}

/**
 * A monitor's options checked against the catalogue, defaults filled in; throws OptionError
 * naming the key (`proxyfetch.interval: must be a number, got 'abc'`), unknown keys included.
 */
export function readOptions<K extends MonitorKind>(kind: K, options: MonitorOptions): ValuesOf<Catalogue[K]> {
  const specs: Readonly<Record<string, OptionSpec>> = CATALOGUE[kind].options;
  const prefix = optionPrefix(kind);
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const v = Object.hasOwn(options, key) ? options[key] : undefined;
    if (v === undefined) {
      if (spec.required) throw new OptionError(`${prefix}.${key}: is required`);
      out[key] = spec.default;
      continue;
    }
    const r = normalise(spec, v);
    if (!r.ok) throw new OptionError(`${prefix}.${key}: ${r.error}`);
    out[key] = r.value;
  }
  const unknown = Object.keys(options).filter((k) => !Object.hasOwn(specs, k)).sort();
  if (unknown.length > 0) throw new OptionError(`${prefix}.${unknown[0]}: unknown option (known: ${Object.keys(specs).sort().join(', ')})`);
  return out as ValuesOf<Catalogue[K]>;
}
