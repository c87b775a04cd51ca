#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';

/** The composition root: the only place that builds real implementations from config. */
export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('vipd')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command; `vipd --help` lists them')
    .help()
    .version()
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`vipd: ${msg}\n`);
      process.exit(2);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
}

main(hideBin(process.argv)).catch((err: unknown) => {
  process.stderr.write(`vipd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
