import type { PyValue } from './python-literal.js';
import { describe, stringList, type SectionReader } from './section-reader.js';
import type { MonitorConfig, OptionValue, ServerRef } from './types.js';

type OptType = 'num' | 'int' | 'bool' | 'str' | 'strlist' | 'args';
interface OptSpec { type: OptType; def?: OptionValue }

/** PyBal's monitors, their options and defaults (PYBAL.md §3); no `def` = required. */
export const MONITORS: Record<string, { name: string; options: Record<string, OptSpec> }> = {
  proxyfetch: {
    name: 'ProxyFetch',
    options: {
      url: { type: 'strlist' }, interval: { type: 'num', def: 10 }, timeout: { type: 'num', def: 5 },
      http_status: { type: 'int', def: 200 }, check_all: { type: 'bool', def: false }, max_failures: { type: 'int', def: 0 },
    },
  },
  idleconnection: {
    name: 'IdleConnection',
    options: {
      'timeout-clean-reconnect': { type: 'num', def: 3 }, 'max-delay': { type: 'num', def: 300 },
      keepalive: { type: 'bool', def: true }, 'keepalive-idle': { type: 'int', def: 10 },
      'keepalive-interval': { type: 'int', def: 30 }, 'keepalive-retries': { type: 'int', def: 3 },
    },
  },
  runcommand: {
    name: 'RunCommand',
    options: {
      command: { type: 'str' }, arguments: { type: 'args' }, interval: { type: 'num', def: 60 },
      timeout: { type: 'num', def: 20 }, 'log-output': { type: 'bool', def: true },
    },
  },
  dnsquery: {
    name: 'DNSQuery',
    options: {
      hostnames: { type: 'strlist' }, interval: { type: 'num', def: 10 }, timeout: { type: 'num', def: 5 },
      'fail-on-nxdomain': { type: 'bool', def: false },
    },
  },
  udp: { name: 'UDP', options: { interval: { type: 'num', def: 10 }, 'icmp-timeout': { type: 'num', def: 20 } } },
};

/** Every `<monitor>.<option>` key vipd knows, for unknown-key suggestions. */
export const MONITOR_KEYS: readonly string[] = Object.entries(MONITORS).flatMap(([kind, m]) =>
  [...Object.keys(m.options), 'rise', 'fall'].map((o) => `${kind}.${o}`));

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
    const kind = name.toLowerCase();
    const spec = MONITORS[kind];
    if (!spec) {
      r.warn(lit.entry.line, `unknown monitor '${name}' skipped (known: ${Object.values(MONITORS).map((m) => m.name).join(', ')})`);
      continue;
    }
    if (out.some((m) => m.kind === kind)) {
      r.warn(lit.entry.line, `monitor '${name}' listed twice; using it once`);
      continue;
    }
    const options: Record<string, OptionValue> = {};
    for (const [opt, os] of Object.entries(spec.options)) {
      const v = readOption(r, `${kind}.${opt}`, os);
      if (v !== undefined) options[opt] = v;
    }
    const rise = r.int(`${kind}.rise`, 1, { min: 1, max: 1000 })!;
    const fall = r.int(`${kind}.fall`, 1, { min: 1, max: 1000 })!;
    out.push({ name: spec.name, kind, options, rise, fall });
  }
  // Stricter than PyBal, which skipped them all and never checked the servers (a typo passed).
  if (names.length > 0 && out.length === 0) r.error(lit.entry.line, `monitors: no known monitor in ${JSON.stringify(names)}: the servers would never be checked`);
  return out;
}

function readOption(r: SectionReader, key: string, spec: OptSpec): OptionValue | undefined {
  switch (spec.type) {
    case 'num': return r.num(key, spec.def as number | undefined, { min: 0 });
    case 'int': return r.int(key, spec.def as number | undefined, { min: 0 });
    case 'bool': return r.bool(key, spec.def as boolean);
    case 'str': return r.str(key, spec.def as string | undefined);
    case 'strlist': {
      if (!r.has(key)) { r.str(key); return undefined; }
      const lit = r.literal(key);
      if (!lit) return undefined;
      const list = stringList(lit.value, true);
      if (typeof list === 'string') { r.error(lit.entry.line, `${key} ${list}`); return undefined; }
      if (list.length === 0) { r.error(lit.entry.line, `${key} must not be empty`); return undefined; }
      return list;
    }
    case 'args': {
      if (!r.has(key)) return spec.def;
      const lit = r.literal(key, { refs: true });
      if (!lit) return undefined;
      return argumentList(r, key, lit.value, lit.entry.line);
    }
  }
}

function argumentList(r: SectionReader, key: string, v: PyValue, line: number): OptionValue | undefined {
  if (v.kind !== 'list' && v.kind !== 'tuple') {
    r.error(line, `${key} must be a list, e.g. [ '/usr/local/bin/check', server.host ], got ${describe(v)}`);
    return undefined;
  }
  const out: Array<string | ServerRef> = [];
  for (const i of v.items) {
    if (i.kind === 'str') out.push(i.value);
    else if (i.kind === 'ref') out.push({ ref: i.name });
    else if (i.kind === 'int' || i.kind === 'float') out.push(String(i.value));
    else { r.error(line, `${key} may contain strings and server.host/ip/port/weight, found ${describe(i)}`); return undefined; }
  }
  return out;
}
