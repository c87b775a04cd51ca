import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { optionFromText } from '../../config/index.js';
import { checkWithTimeout, createMonitor, isMonitorKind, MONITOR_KINDS, optionPrefix, optionSpec, type MonitorOptions, type OptionValue, type Target } from '../../health/index.js';
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
  vip?: string;
  forwarding: 'dr' | 'tun' | 'nat';
}

class UsageError extends Error {}

const isAddress = (s: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(s) || ipaddr.IPv6.isValid(s);

/**
 * `--option KEY=VALUE`, repeatable, each value as pybal.conf writes it (`url=['http://a/', 'http://b/']`,
 * `arguments=['-c', 'exit 0']`, `http_status=200-299`), read by the same code as pybal.conf; a bare
 * `url=http://a/` or `hostnames=a.test` is one string. Unknown keys are left to the monitor to name.
 */
export function parseOptionArgs(kind: string, pairs: readonly string[]): MonitorOptions {
  const out: Record<string, OptionValue> = {};
  const known = isMonitorKind(kind) ? kind : null;
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option must be KEY=VALUE, got '${p}'`);
    const key = p.slice(0, eq).trim();
    const text = p.slice(eq + 1);
    if (Object.hasOwn(out, key)) throw new UsageError(`--option ${key} given twice; write a list once, as in pybal.conf: ${key}=['a', 'b']`);
    const spec = known ? optionSpec(known, key) : undefined;
    if (!known || !spec) { out[key] = text; continue; }
    const v = optionFromText(spec, text, { bare: true });
    if (!v.ok) {
      const at = v.at ? ` (at column ${v.at.column} of '${text}')` : '';
      throw new UsageError(`${optionPrefix(known)}.${key}: ${v.error}${at}`);
    }
    out[key] = v.value;
  }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function probe(argv: ArgumentsCamelCase<ProbeArgs>): Promise<number> {
  let options: MonitorOptions;
  try { options = parseOptionArgs(argv.kind, argv.option); } catch (e) {
    process.stderr.write(`vipd probe: ${(e as Error).message}\n`);
    return 2;
  }
  const logger = createLogger({ level: argv.verbose ? 'debug' : 'warn' });
  const service = argv.vip !== undefined ? { vip: argv.vip, forwarding: argv.forwarding } : undefined;
  const made = createMonitor(argv.kind, options, { logger, ...(service ? { service } : {}) });
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
    .option('option', { type: 'string', array: true, default: [] as string[], describe: "monitor option KEY=VALUE, the pybal.conf key without the monitor prefix and its value as pybal.conf writes it (url=['http://a/health'], arguments=['-c', 'exit 0'])" })
    .option('count', { type: 'number', default: 1, describe: 'number of checks' })
    .option('interval', { type: 'number', default: 1, describe: 'seconds between checks' })
    .option('vip', { type: 'string', describe: "the service's VIP, for checks through the data path (tcp: --option via-vip=yes)" })
    .option('forwarding', { type: 'string', choices: ['dr', 'tun', 'nat'] as const, default: 'dr' as const, describe: 'with --vip: how IPVS reaches the server (ipvs-forwarding)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'log monitor details (command output) to stderr' })
    .check((a) => {
      if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new Error(`--port must be 1-65535, got '${a.port}'`);
      if (!Number.isInteger(a.count) || a.count < 1 || a.count > 1_000_000) throw new Error(`--count must be a positive integer, got '${a.count}'`);
      if (!(a.interval >= 0)) throw new Error(`--interval must be a number of seconds >= 0, got '${a.interval}'`);
      if (a.ip !== undefined && !isAddress(a.ip)) throw new Error(`--ip must be an IPv4 or IPv6 address, got '${a.ip}'`);
      if (a.vip !== undefined && !isAddress(a.vip)) throw new Error(`--vip must be an IPv4 or IPv6 address, got '${a.vip}'`);
      return true;
    }) as unknown as Argv<ProbeArgs>,
  handler: async (argv) => {
    process.exitCode = await probe(argv);
  },
};
