import { formatIssue, loadConfig, type VipdConfig } from '../../config/index.js';

/** A configuration vipd cannot run with; the message lists every problem, one per line. */
export class ConfigError extends Error {}

/** ConfigError from anything thrown, with an optional hint appended. */
export const configError = (e: unknown, hint = ''): ConfigError => new ConfigError(`${e instanceof Error ? e.message : String(e)}${hint}`);

export async function readConfig(path: string): Promise<{ config: VipdConfig; warnings: string[] }> {
  const r = await loadConfig(path);
  if (!r.ok) throw new ConfigError(r.errors.map(formatIssue).join('\n'));
  return { config: r.config, warnings: r.warnings.map(formatIssue) };
}
