import type { CommandModule } from 'yargs';

interface Args { service: string; url: string; timeout: number }

/**
 * `vipd confirm-removal SERVICE [--url URL]`: confirms a held pool removal of a running vipd
 * (POST /pools/SERVICE/confirm-removal, loopback only). Prints vipd's answer; exit 1 when refused.
 */
export const confirmRemovalCommand: CommandModule<object, Args> = {
  command: 'confirm-removal <service>',
  describe: 'confirm a pool removal that a running vipd holds (too many servers removed at once)',
  builder: (y) => y
    .positional('service', { type: 'string', demandOption: true, describe: 'the service (config section) whose pool update is held' })
    .option('url', { type: 'string', default: 'http://127.0.0.1:9090', describe: 'instrumentation URL of the vipd to ask' })
    .option('timeout', { type: 'number', default: 5000, describe: 'milliseconds to wait for an answer' }),
  handler: async (args) => {
    const base = args.url.replace(/\/+$/, '');
    const target = `${base}/pools/${encodeURIComponent(args.service)}/confirm-removal`;
    let status: number;
    let body: string;
    try {
      const res = await fetch(target, { method: 'POST', headers: { accept: 'text/plain' }, signal: AbortSignal.timeout(args.timeout) });
      status = res.status;
      body = (await res.text()).trimEnd();
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      process.stderr.write(`vipd confirm-removal: cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}${cause}\n`
        + '(is vipd running with `instrumentation = yes`? pass its address with --url)\n');
      process.exitCode = 1;
      return;
    }
    if (status === 200) {
      process.stdout.write(`${body}\n`);
      return;
    }
    const why = status === 404 ? `${args.service}: no such service in this vipd`
      : status === 409 ? `refused: ${body}` : `${args.service}: HTTP ${status}: ${body}`;
    process.stderr.write(`vipd confirm-removal: ${why}\n`);
    process.exitCode = 1;
  },
};
