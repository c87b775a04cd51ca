/** `monitors` and each listed monitor's `<monitor>.<option>` keys, checked against the catalogue. */
import { findMonitor, MONITOR_KINDS, normalise, optionPrefix, type KindValue, type OptionSpec } from '../health/catalogue/index.js';
import { fromLiteral, isLiteralOption } from './monitor-values.js';
import { stringList, type SectionReader } from './section-reader.js';
import type { MonitorConfig, OptionValue } from './types.js';

export { MONITOR_KEYS } from '../health/catalogue/index.js';

/** Reads `monitors` and each listed monitor's options from a service section. */
export function readMonitors(r: SectionReader): MonitorConfig[] {
  const lit = r.literal('monitors');
  if (!r.has('monitors')) {
    r.warn(r.section.line, "has no 'monitors': its servers are never checked");
    return [];
  }
  if (!lit) return [];
  const names = stringList(lit.value, false);
  if (typeof names === 'string') {
    r.error(lit.entry.line, `monitors ${names}, e.g. [ 'ProxyFetch', 'IdleConnection' ]`);
    return [];
  }
  const out: MonitorConfig[] = [];
  for (const name of names) {
    const found = findMonitor(name);
    if (!found) {
      r.warn(lit.entry.line, `unknown monitor '${name}' skipped (known: ${MONITOR_KINDS.join(', ')})`);
      continue;
    }
    const kind = optionPrefix(found.kind);
    if (out.some((m) => m.kind === kind)) {
      r.warn(lit.entry.line, `monitor '${name}' listed twice; using it once`);
      continue;
    }
    const options: Record<string, OptionValue> = {};
    let rise = 1;
    let fall = 1;
    for (const [opt, spec] of Object.entries(found.spec.options)) {
      const v = readOption(r, `${kind}.${opt}`, spec);
      if (v === undefined) continue;
      if (opt === 'rise' || opt === 'fall') {
        if (opt === 'rise') rise = v.value as number; else fall = v.value as number;
      } else if (v.given || spec.pybal) {
        // PyBal's options carry their defaults (the canonical print shows them); vipd's only when set.
        options[opt] = v.value;
      }
    }
    out.push({ name: found.kind, kind, options, rise, fall });
  }
  // Stricter than PyBal, which skipped them all and never checked the servers (a typo passed).
  if (names.length > 0 && out.length === 0) r.error(lit.entry.line, `monitors: no known monitor in ${JSON.stringify(names)}: the servers would never be checked`);
  return out;
}

const toConfig = (v: KindValue[keyof KindValue]): OptionValue => (Array.isArray(v) ? [...(v as readonly string[])] : v as OptionValue);

/** One option: its value (default filled in) and whether the file gave it; undefined when absent or wrong. */
function readOption(r: SectionReader, key: string, spec: OptionSpec): { value: OptionValue; given: boolean } | undefined {
  const e = r.entry(key);
  if (!e) {
    if (spec.required) r.str(key); // records "missing required key"
    return spec.default === undefined ? undefined : { value: toConfig(spec.default), given: false };
  }
  let input: Parameters<typeof normalise>[1] = e.value.trim();
  let kept: OptionValue | undefined;
  if (isLiteralOption(spec, e.value)) {
    const lit = r.literal(key, { refs: spec.kind === 'args' });
    if (!lit) return undefined;
    const f = fromLiteral(spec, lit.value);
    if (typeof f === 'string') { r.error(e.line, `${key} ${f}`); return undefined; }
    input = f.value;
    if (spec.kind === 'args') kept = f.config; // server.host stays a reference for the canonical print
  }
  const n = normalise(spec, input);
  if (!n.ok) { r.error(e.line, `${key} ${n.error}`); return undefined; }
  return { value: kept ?? toConfig(n.value), given: true };
}
