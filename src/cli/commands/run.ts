import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { nativeAddonUnavailable } from '../../health/index.js';
import { batchedLines, createLogger, type Logger } from '../../log/logger.js';
import { createPoolSource, etcdTlsFiles } from '../../pools/index.js';
import { secondsToMillis, systemClock } from '../../time/clock.js';
import { ConfigError, Daemon } from '../run/daemon.js';
import { DEFAULT_STATE_DIR } from '../run/state-lock.js';
import { startDemo, type Demo } from '../run/demo.js';
import { stopKindOf } from '../run/graceful-restart.js';
import { withEventLog } from '../run/status-events.js';
import { restartUnderHeapFlags } from '../run/heap-flags.js';
import { tuneMalloc } from '../run/malloc-tune.js';
import { installLoopBlockHook } from '../run/loop-block-hook.js';

interface Args { config?: string; dryrun: boolean; debug: boolean; demo: boolean; 'allow-empty': boolean; 'state-dir'?: string }

const DEFAULT_CONFIGS = ['/etc/vipd/vipd.conf', '/etc/pybal/pybal.conf'];

export function defaultConfig(exists: (p: string) => boolean = existsSync): string {
  return DEFAULT_CONFIGS.find(exists) ?? DEFAULT_CONFIGS[0]!;
}

/**
 * Runs until SIGTERM/SIGINT (a planned stop: with bgp-graceful-restart the routers keep the routes
 * while vipd restarts) or SIGUSR1 (a full stop: withdraw and Cease); SIGHUP reloads. Returns the exit code.
 */
export async function run(args: Args, log: Logger): Promise<number> {
  let demo: Demo | null = null;
  let configPath = args.config ?? defaultConfig();
  let dryRun = args.dryrun;
  if (args.demo) {
    demo = await startDemo(log.child({ component: 'demo' }));
    configPath = demo.configPath;
    dryRun = true;
  }
  const noAddon = nativeAddonUnavailable();
  if (noAddon) {
    log.warn(`native addon unavailable (${noAddon}): ProxyFetch uses the slower net.Socket client, and ` +
      "IdleConnection's keepalive-interval and keepalive-retries are the kernel's defaults");
  }
  // Signals are heard from before the start: a SIGTERM while the daemon is still starting (its
  // routes may already be on the wire) stops it gracefully once it is up, never by the default kill.
  let daemon: Daemon | null = null;
  let stopSignal: NodeJS.Signals | null = null;
  let reloading: Promise<unknown> = Promise.resolve();
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => { finish = resolve; });
  const stop = (d: Daemon, signal: NodeJS.Signals): void => {
    void reloading
      .then(() => d.stop(`vipd shutting down (${signal})`, stopKindOf(signal)))
      .then(() => demo?.stop())
      .then(() => finish(0), (e: unknown) => {
        log.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        finish(1);
      });
  };
  const onHup = (): void => { if (daemon) { const d = daemon; reloading = reloading.then(() => d.reload()); } };
  const onTerm = (signal: NodeJS.Signals): void => {
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('SIGUSR1', onTerm);
    log.info(`received ${signal}, shutting down`);
    stopSignal = signal;
    if (daemon) stop(daemon, signal);
  };
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGUSR1', onTerm);
  installLoopBlockHook(log);
  try {
    daemon = await Daemon.start({
      configPath, dryRun, clock: systemClock, log: withEventLog(log, systemClock), allowEmpty: args['allow-empty'],
      ...(args['state-dir'] ? { stateDir: args['state-dir'] } : {}),
      poolSource: (svc, l) => createPoolSource(svc.pool, {
        clock: systemClock, logger: l, intervalMs: secondsToMillis(svc.poolInterval), timeoutMs: secondsToMillis(svc.poolTimeout),
        maxServers: svc.poolMaxServers, etcd: etcdTlsFiles(svc),
      }),
    });
  } catch (e) {
    process.off('SIGHUP', onHup);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('SIGUSR1', onTerm);
    await demo?.stop();
    if (e instanceof ConfigError) {
      process.stderr.write(`vipd: ${configPath}: configuration not usable:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (stopSignal) stop(daemon, stopSignal);
  return finished;
}

export const runCommand: CommandModule<object, Args> = {
  command: 'run',
  describe: 'Run the appliance: health checks, IPVS and BGP from a pybal.conf (SIGHUP reloads, SIGTERM stops; with bgp-graceful-restart SIGTERM keeps the routes for a restart, SIGUSR1 withdraws them)',
  builder: (y) => y
    .option('config', { alias: 'c', type: 'string', describe: `config file (default ${DEFAULT_CONFIGS.join(', falling back to ')})` })
    .option('dryrun', { alias: 'n', type: 'boolean', default: false, describe: 'do not change IPVS: log each ipvsadm batch instead' })
    .option('debug', { alias: 'd', type: 'boolean', default: false, describe: 'debug logging' })
    .option('state-dir', { type: 'string', describe: `where the lock that makes this vipd the one driving IPVS lives (default ${DEFAULT_STATE_DIR}; not taken with --dryrun), and state.json (operator overrides) unless state-file is set` })
    .option('allow-empty', { type: 'boolean', default: false, describe: 'allow a config without services (refused by default: an empty or truncated file), at start and on reload' })
    .option('demo', { type: 'boolean', default: false, describe: 'run the shipped demo: loopback backends, dry-run IPVS, status on http://127.0.0.1:9090/' }),
  handler: async (args) => {
    // First: may start this process again in place under bounded heaps (issue 13 §3).
    const heapNote = restartUnderHeapFlags();
    // One write per burst of lines (issue 13 §6: 10,000 servers log 10,000 lines at once); flushed at exit.
    const out = batchedLines((text) => process.stdout.write(text));
    process.on('exit', out.flush);
    const log = createLogger({ level: args.debug ? 'debug' : 'info', json: !process.stdout.isTTY, write: out.write });
    if (heapNote.bounded) log.info(heapNote.text);
    else log.warn(heapNote.text);
    const mallocNote = tuneMalloc();
    if (mallocNote.fixed) log.info(mallocNote.text);
    else log.warn(mallocNote.text);
    const code = await run(args, log);
    out.flush();
    // Everything is stopped; leave even if a library kept a handle open.
    process.exit(code);
  },
};
