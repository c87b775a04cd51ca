import t from 'tap';
import { IpvsError } from './errors.js';
import { planAndApply, type TableIo } from './ipvs.js';
import { realServer, type IpvsTable, type ServiceKey, type VirtualService } from './model.js';
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
  const r = await planAndApply(io, [svc([10, 10, 10])], new Set());
  t.equal(r.commands.length, 2, 'no re-add of what the failed batch did apply');
  t.same(calls, ['read', 'execute 2', 'read']);
});

t.test('a failing read-back does not hide the batch error', async (t) => {
  let reads = 0;
  const io: TableIo = {
    read: async () => { if (reads++) throw new IpvsError('unknown', 'ipvsadm -Sn failed'); return []; },
    execute: async () => { throw new IpvsError('unknown', 'ipvsadm -R failed: No such service'); },
  };
  await t.rejects(planAndApply(io, [svc([10])], new Set()), /No such service/);
  t.equal(reads, 2, 'the read-back was tried');
});
