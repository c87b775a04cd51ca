/**
 * `vipd fleet --instances URL[,URL...] | --etcd etcd3://HOST:PORT/PREFIX|etcd://... [--etcd-ca FILE] [--json]` (issue 16 §4,
 * issue 17 §2): the seed's LVS director list from live balancers, without dsh. docs/fleet.md.
 */
import type { Argv, CommandModule } from 'yargs';
import { redactUrl } from '../../log/redact.js';
import { readInstance, targetsFromEtcd, targetsFromUrls, type Target } from '../fleet/collect.js';
import { directorList, renderDirectorList } from '../fleet/director-list.js';

interface Args { instances?: string; etcd?: string; etcdCa?: string; json: boolean; timeout: number }

export async function fleet(a: Args): Promise<{ out: string; code: number }> {
  if (!a.instances === !a.etcd) return { out: 'vipd fleet: give --instances URL[,URL...] or --etcd etcd3://HOST:PORT/PREFIX or etcd://HOST:PORT/PREFIX (one of them)\n', code: 2 };
  let targets: Target[];
  let problems: string[] = [];
  try {
    if (a.instances) targets = targetsFromUrls(a.instances);
    else ({ targets, problems } = await targetsFromEtcd(a.etcd!, a.timeout, a.etcdCa));
  } catch (e) {
    return { out: `vipd fleet: ${a.etcd ? `${redactUrl(a.etcd)}: ` : ''}${(e as Error).message}\n`, code: 1 };
  }
  const readings = await Promise.all(targets.map((t) => readInstance(t, a.timeout)));
  const rows = directorList(readings);
  const unreachable = readings.filter((r) => r.error !== undefined).length;
  const code = targets.length === 0 || unreachable > 0 ? 1 : 0;
  if (a.json) {
    const balancers = readings.map((r, i) => ({
      name: r.name, url: r.url, ...(r.error !== undefined ? { error: r.error } : { established: r.established ?? [] }),
      ...(targets[i]!.registration ? { registration: targets[i]!.registration } : {}),
    }));
    return { out: JSON.stringify({ vips: rows, balancers, problems }, null, 2) + '\n', code };
  }
  const head = targets.length === 0 ? 'no balancers registered\n' : '';
  return { out: head + renderDirectorList(rows, readings) + problems.map((p) => `registration refused: ${p}\n`).join(''), code };
}

export const fleetCommand: CommandModule<object, Args> = {
  command: 'fleet',
  describe: 'the director list: per VIP and balancer, announced to an Established peer? receiving traffic?',
  builder: (y: Argv) => y
    .option('instances', { type: 'string', describe: 'instrumentation URLs of the balancers, comma-separated' })
    .option('etcd', { type: 'string', describe: 'the site prefix in etcd (overrides-source): every registered balancer' })
    .option('etcd-ca', { type: 'string', describe: 'a CA (PEM) to trust for etcd:// and etcd3s://, as etcd-ca in the config' })
    .option('json', { type: 'boolean', default: false, describe: 'JSON instead of the table' })
    .option('timeout', { type: 'number', default: 5000, describe: 'milliseconds per request' }) as Argv<Args>,
  handler: async (a) => {
    const r = await fleet(a);
    (r.code === 2 ? process.stderr : process.stdout).write(r.out);
    process.exitCode = r.code;
  },
};
