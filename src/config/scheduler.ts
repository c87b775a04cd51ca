import { nearest } from './issues.js';
import { stringList, type SectionReader } from './section-reader.js';
import { SCHEDULERS, type Scheduler } from './types.js';

/**
 * The scheduler flags (ipvsadm -b) each scheduler reads, by the names `ipvsadm -Sn` prints;
 * `flag-1` / `flag-2` are ipvsadm's generic names for the same two bits (ipvsadm(8), -b).
 * The kernel reads no flag of any other scheduler, nor flag-3 of these.
 */
export const SCHEDULER_FLAGS: Partial<Record<Scheduler, readonly [fallback: string, port: string]>> = {
  sh: ['sh-fallback', 'sh-port'],
  mh: ['mh-fallback', 'mh-port'],
};

/** `scheduler` (required) and `scheduler-flags` (comma- or space-separated, or a list), checked together. */
export function readScheduler(r: SectionReader): { scheduler: Scheduler | undefined; flags: string[] } {
  const scheduler = r.choice('scheduler', SCHEDULERS);
  const e = r.entry('scheduler-flags');
  if (!e || e.value.trim() === '') return { scheduler, flags: [] };
  let words: string[];
  if (e.value.trim().startsWith('[')) {
    const lit = r.literal('scheduler-flags');
    const list = lit ? stringList(lit.value, false) : [];
    if (typeof list === 'string') { r.error(e.line, `scheduler-flags ${list}`); return { scheduler, flags: [] }; }
    words = list;
  } else words = e.value.split(/[\s,]+/).filter(Boolean);
  if (!scheduler) return { scheduler, flags: [] };
  const names = SCHEDULER_FLAGS[scheduler];
  if (!names) {
    r.error(e.line, `scheduler-flags: scheduler ${scheduler} reads no flags (only sh and mh do: sh-fallback, sh-port, mh-fallback, mh-port)`);
    return { scheduler, flags: [] };
  }
  const flags = new Set<string>();
  for (const w of words.map((x) => x.toLowerCase())) {
    const canonical = w === 'flag-1' ? names[0] : w === 'flag-2' ? names[1] : names.includes(w) ? w : null;
    if (canonical) { flags.add(canonical); continue; }
    const near = nearest(w, names);
    r.error(e.line, `scheduler-flags: '${w}' is not a flag of scheduler ${scheduler} (use ${names.join(', ')})${near ? ` (did you mean '${near}'?)` : ''}`);
  }
  return { scheduler, flags: [...flags].sort() };
}
