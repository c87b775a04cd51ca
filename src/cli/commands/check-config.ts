import type { CommandModule } from 'yargs';
import { formatIssue, loadConfig, printConfig } from '../../config/index.js';

interface Args { config: string; print: boolean }

/** `vipd check-config [-c FILE] [--print]`: 0 when valid (warnings shown), 1 listing every error. */
export const checkConfigCommand: CommandModule<object, Args> = {
  command: 'check-config',
  describe: 'validate a pybal.conf: every error and warning with file:line',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', default: '/etc/pybal/pybal.conf', describe: 'config file' })
    .option('print', { type: 'boolean', default: false, describe: 'print the canonical config when valid' }),
  handler: async (argv) => {
    const r = await loadConfig(argv.config);
    for (const w of r.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
    if (!r.ok) {
      for (const e of r.errors) process.stderr.write(`error: ${formatIssue(e)}\n`);
      process.stderr.write(`${argv.config}: ${r.errors.length} error(s), ${r.warnings.length} warning(s)\n`);
      process.exitCode = 1;
      return;
    }
    if (argv.print) process.stdout.write(printConfig(r.config));
    const n = r.config.services.length;
    process.stderr.write(`${argv.config}: OK, ${n} service${n === 1 ? '' : 's'}, ${r.config.global.bgpPeers.length} BGP peer(s), ${r.warnings.length} warning(s)\n`);
  },
};
