import type { CommandModule } from 'yargs';
import { formatIssue, loadConfig } from '../../config/index.js';
import { describeSite, renderRouterConfig, VENDORS, type Vendor } from '../router-config/index.js';
import { defaultConfig } from './run.js';

interface Args { config?: string; vendor: Vendor; balancer: string[]; prefix: string[]; hold: number }

/**
 * `vipd router-config --vendor junos|foundry|frr|bird [--balancer ADDR...] [--prefix NET...]`:
 * prints the routers' BGP configuration for this site's balancers and VIPs (issue 17 §4). Exit 1
 * with every reason when the config cannot describe it (no peer AS, a VIP outside --prefix, ...).
 */
export const routerConfigCommand: CommandModule<object, Args> = {
  command: 'router-config',
  describe: "print the routers' BGP configuration for this site's balancers and VIPs",
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', describe: 'config file (default: as `vipd run`)' })
    .option('vendor', { type: 'string', choices: VENDORS, demandOption: true, describe: 'router configuration dialect' })
    .option('balancer', { type: 'string', array: true, default: [], describe: "the site's balancers (default: this config's local addresses)" })
    .option('prefix', { type: 'string', array: true, default: [], describe: 'accept every /32 (/128) inside these networks (default: exactly the VIPs)' })
    .option('hold', { type: 'number', default: 30, describe: 'router hold time, seconds (keepalive: a third)' }),
  handler: async (argv) => {
    const file = argv.config ?? defaultConfig();
    const r = await loadConfig(file);
    if (!r.ok) {
      for (const e of r.errors) process.stderr.write(`error: ${formatIssue(e)}\n`);
      process.exitCode = 1;
      return;
    }
    if (!Number.isInteger(argv.hold) || (argv.hold !== 0 && argv.hold < 3) || argv.hold > 65535) {
      process.stderr.write(`error: --hold ${argv.hold}: 0 or 3-65535 seconds (RFC 4271 §4.2)\n`);
      process.exitCode = 1;
      return;
    }
    const d = describeSite(r.config, { balancers: argv.balancer.map(String), prefixes: argv.prefix.map(String), hold: argv.hold });
    if ('errors' in d) {
      for (const e of d.errors) process.stderr.write(`error: ${e}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(renderRouterConfig(argv.vendor, d.site));
  },
};
