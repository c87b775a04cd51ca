import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { createLogger } from '../../log/logger.js';
import { IpvsadmDriver, parseSave } from '../../lvs/index.js';
import { commandRunner } from '../../process/command-runner.js';
import { planFromConfig } from '../ipvs-plan.js';
import { readKernelTable } from '../ipvs-table.js';
import { defaultConfig } from './run.js';

interface PlanArgs { config?: string; 'all-up': boolean; table?: string; ipvsadm: string }

const planCommand: CommandModule<object, PlanArgs> = {
  command: 'plan',
  describe: 'print the ipvsadm -R batch that would bring the IPVS table to the configuration (applies nothing)',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: as `vipd run`)' })
    .option('all-up', { type: 'boolean', default: false, describe: 'pool every enabled server, as if all were healthy' })
    .option('table', { type: 'string', describe: 'read the current table from this `ipvsadm -Sn` output instead of the kernel' })
    .option('ipvsadm', { type: 'string', default: 'ipvsadm', describe: 'ipvsadm binary' }),
  handler: async (argv) => {
    const logger = createLogger({ level: 'warn' });
    const table = argv.table;
    let kernelNote: string | null = null;
    const current = table
      ? async () => parseSave(await readFile(table, 'utf8'), table)
      : async () => {
        const driver = new IpvsadmDriver({ runner: commandRunner, owned: [], logger, ipvsadm: argv.ipvsadm });
        const r = await readKernelTable(() => driver.read());
        kernelNote = r.note;
        return r.table;
      };
    const out = await planFromConfig(argv.config ?? defaultConfig(), { allUp: argv['all-up'], current, logger });
    process.stdout.write(out.batch);
    if (kernelNote) process.stderr.write(`note: ${kernelNote}\n`);
    for (const n of out.notes) process.stderr.write(`note: ${n}\n`);
    process.stderr.write(`${out.commands.length} change(s)${out.commands.length ? '; apply with: ipvsadm -R < this output' : ''}\n`);
  },
};

/** `vipd ipvs plan [-c FILE] [--all-up] [--table FILE]`. */
export const ipvsCommand: CommandModule<object, object> = {
  command: 'ipvs <command>',
  describe: 'IPVS table tools',
  builder: (y: Argv) => y.command(planCommand).demandCommand(1, 'name an ipvs subcommand: plan'),
  handler: () => {},
};
