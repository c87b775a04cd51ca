import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { formatIssue, loadConfig, printConfig, type ConfigIssue, type VipdConfig } from '../../config/index.js';
import { parsePool } from '../../pools/index.js';
import { privilegeRefusal } from '../run/health-adapter.js';
import { defaultConfig } from './run.js';

interface Args { config?: string; print: boolean; pools: boolean }

/** Reads and parses every file:// pool the services name; issues located in the pool files. */
async function checkFilePools(c: VipdConfig): Promise<{ errors: ConfigIssue[]; warnings: ConfigIssue[] }> {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const s of c.services) {
    if (!s.pool.startsWith('file:') || seen.has(s.pool)) continue;
    seen.add(s.pool);
    const path = fileURLToPath(s.pool);
    let text: string;
    try { text = await readFile(path, 'utf8'); } catch (e) {
      errors.push({ file: c.file, line: s.line, message: `[${s.name}] cannot read pool ${path}: ${(e as Error).message}` });
      continue;
    }
    const r = parsePool(text, path);
    errors.push(...r.errors);
    warnings.push(...r.warnings);
  }
  return { errors, warnings };
}

/**
 * `vipd check-config [-c FILE] [--print] [--no-pools]`: 0 when valid (warnings shown), 1 listing every
 * error. The file:// pools are read and checked too unless --no-pools: a bad pool line is an error of
 * the config the operator is about to deploy.
 */
export const checkConfigCommand: CommandModule<object, Args> = {
  command: 'check-config',
  describe: 'validate a pybal.conf: every error and warning with file:line',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: as `vipd run`)' })
    .option('print', { type: 'boolean', default: false, describe: 'print the canonical config when valid' })
    .option('pools', { type: 'boolean', default: true, describe: 'also read and check the file:// pools (--no-pools to skip)' }),
  handler: async (argv) => {
    const file = argv.config ?? defaultConfig();
    const r = await loadConfig(file);
    const warnings = [...r.warnings];
    const errors = r.ok ? [] : [...r.errors];
    // tcp.via-vip this process could not honour: vipd run would refuse it too (run check-config as vipd runs)
    if (r.ok) for (const s of r.config.services) for (const m of s.monitors) {
      const cannot = privilegeRefusal(s, m);
      if (cannot) errors.push({ file: r.config.file, line: s.line, message: `[${s.name}] ${cannot}` });
    }
    if (r.ok && argv.pools) {
      const p = await checkFilePools(r.config);
      errors.push(...p.errors);
      warnings.push(...p.warnings);
    }
    for (const w of warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    if (errors.length || !r.ok) {
      for (const e of errors) process.stderr.write(`error: ${formatIssue(e)}\n`);
      process.stderr.write(`${file}: ${errors.length} error(s), ${warnings.length} warning(s)\n`);
      process.exitCode = 1;
      return;
    }
    if (argv.print) process.stdout.write(printConfig(r.config));
    const n = r.config.services.length;
    process.stderr.write(`${file}: OK, ${n} service${n === 1 ? '' : 's'}, ${r.config.global.bgpPeers.length} BGP peer(s), ${warnings.length} warning(s)\n`);
  },
};
