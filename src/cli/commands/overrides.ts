/**
 * `vipd depool|drain|pool POOL HOST --reason TEXT [--expires T] [--force]`, `vipd repool POOL HOST`,
 * `vipd depool --instance --reason TEXT`, `vipd repool --instance`, `vipd overrides` (issue 15 §2):
 * each talks to a running vipd's /overrides (docs/api.md), prints what changed, and exits 1 with
 * the server's message when refused.
 */
import type { Argv, CommandModule } from 'yargs';
import type { OverrideState } from '../../coordinator/overrides.js';
import { CliError, currentOverrides, describe, findToken, refusal, request, type ClientArgs } from './override-client.js';

interface Args extends ClientArgs { pool?: string; host?: string; reason?: string; expires?: string; force: boolean; instance: boolean; json: boolean }

function common<T>(y: Argv<T>): Argv<T & ClientArgs> {
  return y
    .option('url', { type: 'string', default: 'http://127.0.0.1:9090', describe: 'instrumentation URL of the vipd to change' })
    .option('timeout', { type: 'number', default: 5000, describe: 'milliseconds to wait for an answer' })
    .option('token-file', { type: 'string', describe: 'file with the token (NAME:TOKEN lines, or one bare token); default: the config\'s admin-token-file' })
    .option('as', { type: 'string', describe: 'the NAME of the token to use from a file with several (default: the first)' })
    .option('config', { alias: 'c', type: 'string', describe: 'config whose admin-token-file to read (default as `vipd run`)' }) as Argv<T & ClientArgs>;
}

async function run(name: string, body: (a: Args) => Promise<string>, a: Args): Promise<void> {
  try {
    process.stdout.write(await body(a) + '\n');
  } catch (e) {
    process.stderr.write(`vipd ${name}: ${e instanceof CliError ? e.message : e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}

const target = (a: Args): string => (a.instance ? '/overrides/instance' : `/overrides/${encodeURIComponent(a.pool!)}/${encodeURIComponent(a.host!)}`);

function needTarget(a: Args): void {
  if (a.instance && (a.pool || a.host)) throw new CliError('--instance takes no POOL HOST');
  if (!a.instance && (!a.pool || !a.host)) throw new CliError('give POOL and HOST (or --instance)');
}

async function set(state: OverrideState, a: Args): Promise<string> {
  needTarget(a);
  if (a.instance && state !== 'depooled') throw new CliError('only depool takes --instance');
  const token = await findToken(a);
  const before = await currentOverrides(a);
  const was = a.instance ? before.instance : before.servers.find((o) => o.pool === a.pool && o.host === a.host);
  const body = { state, reason: a.reason, ...(a.expires ? { expires: a.expires } : {}), ...(a.force ? { force: true } : {}) };
  const r = await request(a, 'PUT', target(a), { token, body });
  if (r.status !== 200) throw new CliError(refusal(r.status, r.body));
  return `${describe(r.body as Parameters<typeof describe>[0])}\n  (was: ${describe(was)})`
    + (a.instance ? '\n  every VIP leaves every router; IPVS stays as it is' : '');
}

async function drop(a: Args): Promise<string> {
  needTarget(a);
  const token = await findToken(a);
  const r = await request(a, 'DELETE', target(a), { token });
  if (r.status !== 200) throw new CliError(refusal(r.status, r.body));
  const removed = (r.body as { removed: Parameters<typeof describe>[0] }).removed;
  const what = a.instance ? 'instance' : `${a.pool}/${a.host}`;
  if (!removed) return `${what}: no override, nothing changed`;
  return `${what}: override dropped (was: ${describe(removed)})${a.instance ? '\n  the VIPs are announced again as health decides' : '\n  health decides again'}`;
}

function setter(state: OverrideState, verb: string, what: string): CommandModule<object, Args> {
  return {
    command: `${verb} [pool] [host]`,
    describe: what,
    builder: (y) => common(y)
      .positional('pool', { type: 'string', describe: 'the service (config section)' })
      .positional('host', { type: 'string', describe: 'the server, as in the pool list' })
      .option('reason', { type: 'string', demandOption: true, describe: 'why (logged and shown with the override)' })
      .option('expires', { type: 'string', describe: 'RFC 3339 time when the override ends by itself, e.g. 2026-12-06T18:00:00Z' })
      .option('force', { type: 'boolean', default: false, describe: 'even past the depool threshold (audited)' })
      .option('instance', { type: 'boolean', default: false, hidden: state !== 'depooled', describe: 'the whole balancer: withdraw every VIP from every router' }) as Argv<Args>,
    handler: (a) => run(verb, (x) => set(state, x), a),
  };
}

export const depoolCommand = setter('depooled', 'depool', 'take a server out of IPVS (or, with --instance, this balancer out of BGP) until repooled');
export const drainCommand = setter('drained', 'drain', 'keep a server in IPVS with weight 0 so its connections finish');
export const poolCommand = setter('pooled', 'pool', 'pin a server in IPVS even when its monitors say down');

export const repoolCommand: CommandModule<object, Args> = {
  command: 'repool [pool] [host]',
  describe: 'drop the override of a server (or, with --instance, announce the VIPs again)',
  builder: (y) => common(y)
    .positional('pool', { type: 'string' }).positional('host', { type: 'string' })
    .option('instance', { type: 'boolean', default: false, describe: 'the whole balancer' }) as Argv<Args>,
  handler: (a) => run('repool', drop, a),
};

export const overridesCommand: CommandModule<object, Args> = {
  command: 'overrides',
  describe: 'list the operator overrides of a running vipd',
  builder: (y) => common(y).option('json', { type: 'boolean', default: false, describe: 'the JSON of GET /overrides' }) as Argv<Args>,
  handler: (a) => run('overrides', async (x) => {
    const set = await currentOverrides(x);
    if (x.json) return JSON.stringify(set, null, 2);
    const all = [...(set.instance ? [set.instance] : []), ...set.servers];
    return all.length ? all.map((o) => describe(o)).join('\n') : 'no overrides';
  }, a),
};
