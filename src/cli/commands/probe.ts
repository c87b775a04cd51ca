import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { checkWithTimeout, createMonitor, MONITOR_KINDS, type MonitorOptions, type Target } from '../../health/index.js';
import { createLogger } from '../../log/logger.js';
import { systemClock } from '../../time/clock.js';

interface ProbeArgs {
  kind: string;
  host: string;
  ip?: string;
  port: number;
  option: string[];
  count: number;
  interval: number;
  verbose: boolean;
}

class UsageError extends Error {}

const isAddress = (s: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s);

/** `--option KEY=VALUE`, repeatable; a key given more than once becomes a list (url, hostnames). */
export function parseOptionArgs(pairs: readonly string[]): MonitorOptions {
  const out: Record<string, string | string[]> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option must be KEY=VALUE, got '${p}'`);
    const key = p.slice(0, eq).trim();
    const value = p.slice(eq + 1);
    const have = out[key];
    out[key] = have === undefined ? value : Array.isArray(have) ? [...have, value] : [have, value];
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function probe(argv: ArgumentsCamelCase<ProbeArgs>): Promise<number> {
  let options: MonitorOptions;
  try { options = parseOptionArgs(argv.option); } catch (e) {
    process.stderr.write(`vipd probe: ${(e as Error).message}\n`);
    return 2;
  }
  const logger = createLogger({ level: argv.verbose ? 'debug' : 'warn' });
  const made = createMonitor(argv.kind, options, { logger });
  if (!made.ok) { process.stderr.write(`vipd probe: ${made.error}\n`); return 2; }
  const monitor = made.value;
  let ip = argv.ip;
  if (ip === undefined) {
    try { ip = isAddress(argv.host) ? argv.host : (await lookup(argv.host)).address; } catch (e) {
      process.stderr.write(`vipd probe: --host: cannot resolve '${argv.host}': ${(e as Error).message}\n`);
      return 2;
    }
  }
  const target: Target = { host: argv.host, ip, port: argv.port };
  let lastUp = false;
  try {
    for (let i = 0; i < argv.count; i++) {
      if (i > 0) await sleep(argv.interval * 1000);
      const r = await checkWithTimeout(monitor, target, systemClock);
      lastUp = r.up;
      process.stdout.write(JSON.stringify({ up: r.up, reason: r.reason, ms: Math.round(r.ms * 10) / 10, ...(r.details ? { details: r.details } : {}) }) + '\n');
    }
  } finally {
    monitor.close?.();
  }
  return lastUp ? 0 : 1;
}

export const probeCommand: CommandModule<object, ProbeArgs> = {
  command: 'probe <kind>',
  describe: 'run one health monitor against one server and print each result as JSON',
  builder: (y: Argv<object>) => y
    .positional('kind', { type: 'string', choices: [...MONITOR_KINDS], demandOption: true, describe: 'monitor (PyBal name)' })
    .option('host', { type: 'string', demandOption: true, describe: 'server name (Host header, server.host)' })
    .option('ip', { type: 'string', describe: 'address to connect to (default: host, resolved)' })
    .option('port', { type: 'number', demandOption: true, describe: 'service port' })
    .option('option', { type: 'string', array: true, default: [] as string[], describe: 'monitor option KEY=VALUE (pybal.conf key without the monitor prefix); repeat a key for a list' })
    .option('count', { type: 'number', default: 1, describe: 'number of checks' })
    .option('interval', { type: 'number', default: 1, describe: 'seconds between checks' })
    .option('verbose', { type: 'boolean', default: false, describe: 'log monitor details (command output) to stderr' })
    .check((a) => {
      if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new Error(`--port must be 1-65535, got '${a.port}'`);
      if (!Number.isInteger(a.count) || a.count < 1 || a.count > 1_000_000) throw new Error(`--count must be a positive integer, got '${a.count}'`);
      if (!(a.interval >= 0)) throw new Error(`--interval must be a number of seconds >= 0, got '${a.interval}'`);
      if (a.ip !== undefined && !isAddress(a.ip)) throw new Error(`--ip must be an IPv4 or IPv6 address, got '${a.ip}'`);
      return true;
    }) as unknown as Argv<ProbeArgs>,
  handler: async (argv) => {
    process.exitCode = await probe(argv);
  },
};
