import t from 'tap';
import { createLogger } from '../log/logger.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { IpvsAdoption } from './adoption.js';
import { IpvsError } from './errors.js';
import type { Ipvs } from './ipvs.js';
import { realServer, type IpvsTable } from './model.js';

const flush = (): Promise<void> => new Promise((ok) => setImmediate(ok));
const TABLE: IpvsTable = [{
  key: { protocol: 'tcp', address: '10.255.0.1', port: 80 }, scheduler: 'wrr', flags: [], ops: false,
  realServers: [realServer({ address: '10.255.0.2', port: 80, weight: 10 })],
}];

function flaky(failFirst: number): Ipvs & { reads: number; applies: number } {
  const io = {
    reads: 0, applies: 0,
    read: async () => {
      io.reads++;
      if (io.reads <= failFirst) throw new IpvsError('unknown', 'ipvsadm -Sn failed (exit 2): Memory allocation problem');
      return TABLE;
    },
    known: () => null, stats: async () => [], counters: async () => [], own: () => {},
    apply: async () => { io.applies++; return { commands: [], batch: '' }; },
  };
  return io;
}

t.test('a table that cannot be read is retried by backoff, and adopted once a read succeeds', async (t) => {
  const clock = new FakeClock();
  const ipvs = flaky(3);
  const failures: [string, number][] = [];
  let adopted: IpvsTable | null = null;
  const a = new IpvsAdoption({
    ipvs, clock, logger: createLogger({ json: true, write: () => {} }),
    onFailure: (e, wait) => failures.push([e, wait]), onAdopted: (tb) => { adopted = tb; },
  });
  t.equal(await a.start(), false, 'the first read failed');
  t.same(failures, [['ipvsadm -Sn failed (exit 2): Memory allocation problem', 500]]);
  clock.advance(499); await flush();
  t.equal(ipvs.reads, 1);
  clock.advance(1); await flush();
  t.equal(ipvs.reads, 2, 'retried after 0.5 s');
  t.same(failures.map((f) => f[1]), [500, 1000]);
  clock.advance(1000); await flush();
  t.equal(ipvs.reads, 3);
  t.equal(adopted, null);
  clock.advance(2000); await flush();
  t.equal(ipvs.reads, 4);
  t.equal(adopted, TABLE, 'adopted exactly what the kernel holds');
  t.ok(a.adopted);
  t.equal(ipvs.applies, 0, 'adoption itself never applies');
  t.equal(clock.pendingCount, 0, 'no retry left once adopted');
});

t.test('the wait doubles to 30 s; stop ends the retries', async (t) => {
  const clock = new FakeClock();
  const ipvs = flaky(1000);
  const waits: number[] = [];
  const a = new IpvsAdoption({
    ipvs, clock, logger: createLogger({ json: true, write: () => {} }),
    onFailure: (_e, wait) => waits.push(wait), onAdopted: () => t.fail('never adopted'),
  });
  await a.start();
  for (let i = 0; i < 9; i++) { clock.advance(waits.at(-1)!); await flush(); }
  t.same(waits, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  a.stop();
  t.equal(clock.pendingCount, 0);
});
