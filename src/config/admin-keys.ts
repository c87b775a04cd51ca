/**
 * The [global] keys of operator control (issue 15): `admin-token-file`, `state-file` and
 * `instrumentation-hostnames`. Paths are taken as written (absolute paths are advised).
 */
import type { SectionReader } from './section-reader.js';

export const ADMIN_KEYS = ['admin-token-file', 'state-file', 'instrumentation-hostnames'] as const;

export interface AdminConfig {
  /** NAME:TOKEN lines of who may write to /overrides; null = no writes. */
  adminTokenFile: string | null;
  /** Where overrides persist; null = state.json under the state directory. */
  stateFile: string | null;
  /** Extra names the API's Host check accepts; null = the machine's host name. */
  instrumentationHostnames: string[] | null;
}

const path = (r: SectionReader, key: string): string | null => {
  const e = r.entry(key);
  if (!e) return null;
  const v = e.value.trim().replace(/^(['"])(.*)\1$/, '$2');
  if (v === '') { r.error(e.line, `${key} must be a file path, got an empty value`); return null; }
  return v;
};

export function readAdmin(r: SectionReader): AdminConfig {
  const names = r.entry('instrumentation-hostnames');
  let hostnames: string[] | null = null;
  if (names) {
    hostnames = names.value.split(',').map((n) => n.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
    const bad = hostnames.find((n) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n));
    if (bad !== undefined) r.error(names.line, `instrumentation-hostnames: '${bad}' is not a host name`);
  }
  return { adminTokenFile: path(r, 'admin-token-file'), stateFile: path(r, 'state-file'), instrumentationHostnames: hostnames };
}
