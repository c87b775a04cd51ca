import fc from 'fast-check';
import t from 'tap';
import { IpvsError } from './errors.js';
import { planAndApply, type TableIo } from './ipvs.js';
import { realServer, type IpvsTable, type ServiceKey, type VirtualService } from './model.js';
import { plan } from './plan.js';
import { applyCommands } from './table-apply.js';

const A: ServiceKey = { protocol: 'tcp', address: '10.255.0.1', port: 80 };
const svc = (ws: number[]): VirtualService => ({
  key: A, scheduler: 'wrr', flags: [], ops: false,
  realServers: ws.map((w, i) => realServer({ address: `10.255.0.${i + 2}`, port: 80, weight: w })),
});

t.test('a batch that fails half-way is followed by a read-back of the table, then the error', async (t) => {
  let table: IpvsTable = [];
  const calls: string[] = [];
  const io: TableIo = {
    read: async () => { calls.push('read'); return table; },
    trusted: () => null,
    applied: () => {},
    // The kernel took the first two lines (the service and one server), then refused the rest.
    execute: async (_batch, commands) => {
      calls.push('execute');
      table = applyCommands(table, commands.slice(0, 2));
      throw new IpvsError('unknown', 'ipvsadm -R failed: Memory allocation problem');
    },
  };
  await t.rejects(planAndApply(io, [svc([10, 10, 10])], new Set()), /Memory allocation problem/);
  t.same(calls, ['read', 'execute', 'read'], 'read before planning, and read back after the failure');
  // The next plan starts from what the kernel holds: only the two missing servers.
  calls.length = 0;
  io.execute = async (_b, commands) => { calls.push(`execute ${commands.length}`); table = applyCommands(table, commands); };
  const r = await planAndApply(io, [svc([10, 10, 10])], new Set(), { readBack: true });
  t.equal(r.commands.length, 2, 'no re-add of what the failed batch did apply');
  t.same(calls, ['read', 'execute 2', 'read']);
});

t.test('a failing read-back does not hide the batch error', async (t) => {
  let reads = 0;
  const io: TableIo = {
    read: async () => { if (reads++) throw new IpvsError('unknown', 'ipvsadm -Sn failed'); return []; },
    trusted: () => null,
    applied: () => {},
    execute: async () => { throw new IpvsError('unknown', 'ipvsadm -R failed: No such service'); },
  };
  await t.rejects(planAndApply(io, [svc([10])], new Set()), /No such service/);
  t.equal(reads, 2, 'the read-back was tried');
});

/** A kernel table behind a TableIo that trusts its latest read or batch, as the ipvsadm driver does. */
function kernel() {
  const k = { table: [] as IpvsTable, known: null as IpvsTable | null, calls: [] as string[], fail: false };
  const io: TableIo = {
    read: async () => { k.calls.push('read'); k.known = k.table; return k.table; },
    trusted: () => k.known,
    applied: (before, commands) => { k.known = applyCommands(before, commands); },
    execute: async (_b, commands) => {
      k.calls.push(`execute ${commands.length}`);
      k.known = null;
      if (k.fail) throw new IpvsError('destination-exists', 'ipvsadm -R: Destination already exists');
      k.table = applyCommands(k.table, commands);
    },
  };
  return { k, io };
}

t.test('a decision plans against the known table: no kernel read per batch (issue 13 §2)', async (t) => {
  const { k, io } = kernel();
  await planAndApply(io, [svc([10, 10])], new Set());
  t.same(k.calls, ['read', 'execute 3'], 'the first apply reads (nothing known yet), then nothing is read back');
  k.calls.length = 0;
  for (const w of [1, 2, 3]) await planAndApply(io, [svc([w, 10])], new Set());
  t.same(k.calls, ['execute 1', 'execute 1', 'execute 1'], 'three decisions, three batches, no read');
  t.same(k.known, k.table, 'the known table follows the kernel');
  k.calls.length = 0;
  const none = await planAndApply(io, [svc([3, 10])], new Set());
  t.same([none.commands.length, k.calls], [0, []], 'nothing to change: no batch and no read');
});

t.test('after a failed batch the next decision reads first; readBack reads before and after', async (t) => {
  const { k, io } = kernel();
  await planAndApply(io, [svc([10])], new Set());
  k.table = applyCommands(k.table, [{ op: 'add-server', key: A, server: realServer({ address: '10.255.0.3', port: 80, weight: 1 }) }]); // by hand
  k.fail = true;
  k.calls.length = 0;
  await t.rejects(planAndApply(io, [svc([10, 10])], new Set()), /Destination already exists/);
  t.same(k.calls, ['execute 1', 'read'], 'planned on the stale table, failed, read back');
  k.fail = false;
  k.calls.length = 0;
  const r = await planAndApply(io, [svc([10, 10])], new Set());
  t.same([r.batch, k.calls], ['-e -t 10.255.0.1:80 -r 10.255.0.3:80 -g -w 10 -x 0 -y 0\n', ['execute 1']], 'planned on the read-back table');
  k.calls.length = 0;
  await planAndApply(io, [svc([10, 10])], new Set(), { readBack: true });
  t.same(k.calls, ['read'], 'the periodic check reads even when nothing changed');
  k.table = [];
  k.calls.length = 0;
  await planAndApply(io, [svc([10, 10])], new Set(), { readBack: true });
  t.same(k.calls, ['read', 'execute 3', 'read'], 'drift found, repaired, verified');
});

t.test('property: decisions on the known table keep it equal to the kernel, and the kernel equal to desired', async (t) => {
  const weights = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 6 });
  const handEdit = fc.option(fc.integer({ min: 2, max: 9 }), { nil: undefined });
  await fc.assert(fc.asyncProperty(fc.array(fc.record({ ws: weights, hand: handEdit }), { minLength: 1, maxLength: 12 }), async (steps) => {
    const { k, io } = kernel();
    for (const { ws, hand } of steps) {
      if (hand !== undefined && k.table.length) {
        // someone adds a server by hand: the known table is stale until a batch fails or a check reads
        const extra = realServer({ address: `10.255.0.${hand}`, port: 80, weight: 5 });
        if (!k.table[0]?.realServers.some((r) => r.address === extra.address)) {
          k.table = applyCommands(k.table, [{ op: 'add-server', key: A, server: extra }]);
        }
      }
      const desired = [svc(ws)];
      const ok = await planAndApply(io, desired, new Set()).then(() => true, () => false);
      if (!ok) await planAndApply(io, desired, new Set(), { readBack: true }); // the reconciler's retry
      else if (hand !== undefined) await planAndApply(io, desired, new Set(), { readBack: true }); // the periodic check
      if (JSON.stringify(k.known) !== JSON.stringify(k.table)) return false;
      if (JSON.stringify(plan(desired, k.table)) !== '[]') return false;
    }
    return true;
  }), { numRuns: 300 });
  t.pass('300 random sequences of decisions and hand edits');
});
