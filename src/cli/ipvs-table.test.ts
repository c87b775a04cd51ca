import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IpvsError, type IpvsTable } from '../lvs/index.js';
import { readKernelTable } from './ipvs-table.js';

const noIpvs = async (): Promise<IpvsTable> => {
  throw new IpvsError('no-ipvs', "ipvsadm -Sn failed: Can't initialize ipvs: Protocol not available");
};

t.test('a kernel without ip_vs has an empty table, and the note says so', async (t) => {
  const dir = t.testdir();
  const r = await readKernelTable(noIpvs, join(dir, 'ip_vs'));
  t.same(r.table, []);
  t.match(r.note, `no ip_vs in this kernel (${join(dir, 'ip_vs')} is absent): planned against an empty IPVS table`);
  t.match(r.note, 'Protocol not available', "ipvsadm's own words are kept");
});

t.test('with ip_vs loaded, a failed read is an error, never an empty table', async (t) => {
  const dir = t.testdir();
  const proc = join(dir, 'ip_vs');
  writeFileSync(proc, 'IP Virtual Server version 1.2.1 (size=4096)\n');
  const denied = async (): Promise<IpvsTable> => { throw new IpvsError('no-ipvs', "Can't initialize ipvs: Permission denied (you must be root?)"); };
  await t.rejects(readKernelTable(denied, proc), { message: /Permission denied/ });
});

t.test('a table that reads is returned as is, without a note', async (t) => {
  const table: IpvsTable = [];
  const r = await readKernelTable(async () => table, '/nonexistent/ip_vs');
  t.equal(r.table, table);
  t.equal(r.note, null);
});
