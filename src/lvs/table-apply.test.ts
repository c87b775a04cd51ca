import fc from 'fast-check';
import t from 'tap';
import type { Command } from './commands.js';
import { IpvsError } from './errors.js';
import { normalizeService, realServer, serverId, serviceId, type IpvsTable, type ServiceKey, type VirtualService } from './model.js';
import { plan } from './plan.js';
import { applyCommands } from './table-apply.js';

/** The kernel's rules written the obvious (quadratic) way: the oracle for the linear version. */
function reference(table: IpvsTable, commands: readonly Command[]): VirtualService[] | string {
  let t: VirtualService[] = [...table];
  for (const c of commands) {
    const key = c.op === 'add-service' || c.op === 'edit-service' ? c.service.key : c.key;
    const i = t.findIndex((s) => serviceId(s.key) === serviceId(key));
    if (c.op === 'add-service') {
      if (i >= 0) return 'service-exists';
      t.push({ ...normalizeService({ ...c.service, realServers: [] }) });
      continue;
    }
    if (i < 0) return 'no-such-service';
    const cur = t[i]!;
    if (c.op === 'edit-service') t[i] = { ...normalizeService({ ...c.service, realServers: [] }), realServers: cur.realServers };
    else if (c.op === 'delete-service') t = t.filter((_, j) => j !== i);
    else {
      const has = cur.realServers.some((r) => serverId(r) === serverId(c.server));
      if (c.op === 'add-server') {
        if (has) return 'destination-exists';
        t[i] = { ...cur, realServers: [c.server, ...cur.realServers] }; // list_add_rcu: the head
      } else if (!has) return 'no-such-destination';
      else if (c.op === 'edit-server') t[i] = { ...cur, realServers: cur.realServers.map((r) => (serverId(r) === serverId(c.server) ? c.server : r)) };
      else t[i] = { ...cur, realServers: cur.realServers.filter((r) => serverId(r) !== serverId(c.server)) };
    }
  }
  return t;
}

const key = (port: number): ServiceKey => ({ protocol: 'tcp', address: '10.255.0.1', port });
const server = (n: number, weight: number) => realServer({ address: `10.255.1.${n}`, port: 80, weight, forwarding: 'masq' });
const service = (port: number, scheduler: 'rr' | 'wlc'): VirtualService => ({ key: key(port), scheduler, flags: [], ops: false, realServers: [] });
const port = fc.integer({ min: 1, max: 3 });
const n = fc.integer({ min: 1, max: 5 });
const weight = fc.integer({ min: 0, max: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ p: port, s: fc.constantFrom('rr' as const, 'wlc' as const) }).map(({ p, s }) => ({ op: 'add-service' as const, service: service(p, s) })),
  fc.record({ p: port, s: fc.constantFrom('rr' as const, 'wlc' as const) }).map(({ p, s }) => ({ op: 'edit-service' as const, service: service(p, s) })),
  port.map((p) => ({ op: 'delete-service' as const, key: key(p) })),
  ...(['add-server', 'add-server', 'edit-server', 'delete-server'] as const).map((op) =>
    fc.record({ p: port, n, w: weight }).map(({ p, n, w }) => ({ op, key: key(p), server: server(n, w) }))),
);

t.test('applyCommands agrees with the kernel rules written the obvious way, errors included', async (t) => {
  fc.assert(fc.property(fc.array(command, { maxLength: 40 }), fc.array(command, { maxLength: 40 }), (setup, commands) => {
    const start = reference([], setup.filter((c) => c.op === 'add-service' || c.op === 'add-server'));
    const table = typeof start === 'string' ? [] : start;
    const want = reference(table, commands);
    let got: VirtualService[] | string;
    try { got = applyCommands(table, commands); } catch (e) { got = e instanceof IpvsError ? e.kind : String(e); }
    return JSON.stringify(got) === JSON.stringify(want);
  }), { numRuns: 1000 });
  t.pass('1,000 random command sequences');
});

t.test('the kernel order: an edited server keeps its place, a re-added one goes first; the input is not changed', async (t) => {
  const before: IpvsTable = [{ ...service(1, 'rr'), realServers: [server(1, 1), server(2, 1), server(3, 1)] }];
  const copy = JSON.stringify(before);
  const after = applyCommands(before, [
    { op: 'edit-server', key: key(1), server: server(1, 5) },
    { op: 'delete-server', key: key(1), server: server(2, 1) },
    { op: 'add-server', key: key(1), server: server(2, 7) },
  ]);
  t.same(after[0]!.realServers.map((r) => [r.address, r.weight]), [['10.255.1.2', 7], ['10.255.1.1', 5], ['10.255.1.3', 1]]);
  t.equal(JSON.stringify(before), copy);
  t.equal(applyCommands(before, [])[0], before[0], 'an untouched service is the same object');
});

t.test('plan then applyCommands is a no-op pair on a 10,000-server service with one change', async (t) => {
  const big = (w: number): IpvsTable => [{
    ...service(1, 'wlc'),
    realServers: Array.from({ length: 10_000 }, (_, i) => realServer({ address: `10.255.${i >> 8}.${i & 255}`, port: 80, weight: i === 4321 ? w : 1, forwarding: 'masq' })),
  }];
  const cmds = plan(big(9), big(1));
  t.same(cmds.map((c) => c.op), ['edit-server']);
  t.same(applyCommands(big(1), cmds), big(9).map(normalizeService));
});
