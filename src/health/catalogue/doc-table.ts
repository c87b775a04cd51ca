/** docs/config.md's monitor table, rendered from the catalogue (a test keeps the doc equal to it). Pure. */
import { CATALOGUE } from './monitors.js';
import { MONITOR_KINDS, optionPrefix } from './read.js';
import type { OptionSpec } from './types.js';

export const DOC_BEGIN = '<!-- monitor catalogue: generated from src/health/catalogue; VIPD_WRITE_DOCS=1 npm test -- src/health/catalogue/doc-table.test.ts rewrites it -->';
export const DOC_END = '<!-- end of monitor catalogue -->';

function defaultText(s: OptionSpec): string {
  if (s.required) return 'required';
  if (s.defaultDoc !== undefined) return s.defaultDoc;
  const d = s.default;
  if (d === undefined) return 'none';
  if (typeof d === 'boolean') return d ? '`yes`' : '`no`';
  if (Array.isArray(d)) return d.length === 0 ? 'none' : `\`${d.join(',')}\``;
  return `\`${String(d)}\``;
}

const TYPE: Record<OptionSpec['kind'], string> = {
  seconds: 'seconds', timeout: 'seconds or `auto`', number: 'number', integer: 'integer', bool: 'bool', string: 'string',
  strings: 'string or list', args: 'list', statuses: 'statuses',
};

function range(s: OptionSpec): string {
  if (s.kind !== 'seconds' && s.kind !== 'timeout' && s.kind !== 'number' && s.kind !== 'integer') return '';
  if (s.min !== undefined && s.max !== undefined) return ` ${s.min}–${s.max}`;
  if (s.min !== undefined) return ` ≥ ${s.min}`;
  return '';
}

/** The markdown table: one heading row per monitor, one row per option; vipd's additions marked. */
export function monitorDocTable(): string {
  const rows = ['| monitor / option | type | default | meaning |', '|---|---|---|---|'];
  for (const kind of MONITOR_KINDS) {
    const m = CATALOGUE[kind];
    rows.push(`| **${kind}**${m.pybal ? '' : ' (vipd)'} | | | ${m.doc} |`);
    const options: Readonly<Record<string, OptionSpec>> = m.options;
    for (const [name, s] of Object.entries(options)) {
      rows.push(`| \`${optionPrefix(kind)}.${name}\` | ${TYPE[s.kind]}${range(s)} | ${defaultText(s)} | ${s.pybal ? '' : '(vipd) '}${s.doc} |`);
    }
  }
  return rows.join('\n') + '\n';
}
