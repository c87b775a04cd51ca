// Issue 17 §3: for mh (and sh, dh) the kernel's list order, and mh's last_weight, are a function
// of the pool alone, whatever the history of depools, repools, drains and edits that led to it.
import fc from 'fast-check';
import t from 'tap';
import { renderCommand, type Command } from './commands.js';
import { canonicalOrder, compareServers } from './dest-order.js';
import { realServer, serverId, type IpvsTable, type RealServer, type Scheduler, type ServiceKey, type VirtualService } from './model.js';
import { plan } from './plan.js';
import { applyCommands } from './table-apply.js';

const A: ServiceKey = { protocol: 'tcp', address: '10.255.0.1', port: 80 };
const rs = (n: number, weight = 10): RealServer => realServer({ address: `10.255.1.${n}`, port: 80, weight });
const svc = (scheduler: Scheduler, servers: RealServer[]): VirtualService => ({ key: A, scheduler, flags: [], ops: false, realServers: servers });
const lines = (d: IpvsTable, a: IpvsTable): string[] => plan(d, a).map(renderCommand);
const order = (tb: IpvsTable): string[] => tb[0]!.realServers.map((r) => r.address.split('.')[3]!);

/**
 * The kernel's destination list as ip_vs_ctl.c keeps it (the oracle): an add (or a re-add from
 * the trash) goes to the head with last_weight = weight; an edit keeps the place and updates
 * last_weight only to a non-zero weight.
 */
interface Dest { id: string; server: RealServer; lastWeight: number }
function kernelApply(list: Dest[], commands: readonly Command[]): Dest[] {
  let out = [...list];
  for (const c of commands) {
    if (c.op !== 'add-server' && c.op !== 'edit-server' && c.op !== 'delete-server') continue;
    const id = serverId(c.server);
    const i = out.findIndex((d) => d.id === id);
    if (c.op === 'add-server') {
      if (i >= 0) throw new Error(`add of an existing ${id}`);
      out = [{ id, server: c.server, lastWeight: c.server.weight }, ...out];
    } else if (i < 0) throw new Error(`${c.op} of a missing ${id}`);
    else if (c.op === 'delete-server') out = out.filter((d) => d.id !== id);
    else out[i] = { id, server: c.server, lastWeight: c.server.weight || out[i]!.lastWeight };
  }
  return out;
}
const asTable = (s: Scheduler, list: Dest[]): VirtualService[] => [svc(s, list.map((d) => d.server))];
/** What ip_vs_mh.c builds its table from: the destinations with turns, in list order, and every current weight. */
const mhInput = (list: Dest[]) => ({
  slots: list.filter((d) => d.lastWeight > 0).map((d) => `${d.id}*${d.lastWeight}`),
  weights: list.map((d) => `${d.id}=${d.server.weight}`).sort(),
});
/** sh and dh: every destination counts, in list order. */
const shInput = (list: Dest[]) => list.map((d) => `${d.id}=${d.server.weight}`);

t.test('canonical order: address bytes, then port; IPv4 first', async (t) => {
  const xs = [realServer({ address: 'fd00:255::2', port: 80 }), realServer({ address: '10.255.1.10', port: 80 }),
    realServer({ address: '10.255.1.9', port: 81, forwarding: 'masq' }), realServer({ address: '10.255.1.9', port: 80, forwarding: 'masq' })];
  t.same(canonicalOrder(xs).map((r) => `${r.address}:${r.port}`), ['10.255.1.9:80', '10.255.1.9:81', '10.255.1.10:80', 'fd00:255::2:80']);
  const sorted = canonicalOrder(xs);
  t.equal(canonicalOrder(sorted), sorted, 'already in order: the same array');
  t.equal(compareServers(xs[0]!, xs[0]!), 0);
});

t.test('a new mh service: servers added last-first, so the kernel lists them in canonical order', async (t) => {
  const d = [svc('mh', [rs(3), rs(1), rs(2)])];
  t.same(lines(d, []), ['-A -t 10.255.0.1:80 -s mh', ...[3, 2, 1].map((n) => `-a -t 10.255.0.1:80 -r 10.255.1.${n}:80 -g -w 10`)]);
  t.same(order(applyCommands([], plan(d, []))), ['1', '2', '3']);
  t.same(lines([svc('wlc', [rs(3), rs(1)])], []).slice(1), ['-a -t 10.255.0.1:80 -r 10.255.1.3:80 -g -w 10', '-a -t 10.255.0.1:80 -r 10.255.1.1:80 -g -w 10'],
    'other schedulers: as given');
});

t.test('repool of a server in the middle: only the servers in front of it are re-added, each right after its delete', async (t) => {
  const kernel = [svc('mh', [rs(1), rs(2), rs(4), rs(5)])]; // 3 was depooled
  t.same(lines([svc('mh', [rs(1), rs(2), rs(3), rs(4), rs(5)])], kernel), [
    '-a -t 10.255.0.1:80 -r 10.255.1.3:80 -g -w 10',
    '-d -t 10.255.0.1:80 -r 10.255.1.2:80', '-a -t 10.255.0.1:80 -r 10.255.1.2:80 -g -w 10',
    '-d -t 10.255.0.1:80 -r 10.255.1.1:80', '-a -t 10.255.0.1:80 -r 10.255.1.1:80 -g -w 10',
  ]);
  t.same(lines([svc('mh', [rs(1), rs(2), rs(4), rs(5)])], [svc('mh', [rs(1), rs(2), rs(3), rs(4), rs(5)])]),
    ['-d -t 10.255.0.1:80 -r 10.255.1.3:80'], 'a depool is one delete: the others keep their order');
  t.same(lines([svc('mh', [rs(1), rs(2), rs(3)])], [svc('mh', [rs(2), rs(3)])]), ['-a -t 10.255.0.1:80 -r 10.255.1.1:80 -g -w 10'],
    'a repool of the first server is one add');
});

t.test('mh drain: delete and re-add at weight 0 (no slots), in place for others; undrain is an edit', async (t) => {
  const full = svc('mh', [rs(1), rs(2), rs(3)]);
  t.same(lines([svc('mh', [rs(1), rs(2, 0), rs(3)])], [full]),
    ['-d -t 10.255.0.1:80 -r 10.255.1.2:80', '-a -t 10.255.0.1:80 -r 10.255.1.2:80 -g -w 0']);
  const drained = applyCommands([full], plan([svc('mh', [rs(1), rs(2, 0), rs(3)])], [full]));
  t.same(order(drained), ['2', '1', '3'], 'the drained server is at the head, where its place does not matter');
  t.same(lines([svc('mh', [rs(1), rs(2, 0), rs(3)])], drained), [], 'and nothing more to do');
  t.same(lines([full], drained), [
    '-d -t 10.255.0.1:80 -r 10.255.1.1:80', '-a -t 10.255.0.1:80 -r 10.255.1.1:80 -g -w 10',
    '-e -t 10.255.0.1:80 -r 10.255.1.2:80 -g -w 10 -x 0 -y 0',
  ], 'undrained, its place matters again: 1 re-added in front of it');
  t.same(lines([svc('wlc', [rs(1), rs(2, 0)])], [svc('wlc', [rs(1), rs(2)])]), ['-e -t 10.255.0.1:80 -r 10.255.1.2:80 -g -w 0 -x 0 -y 0'],
    'other schedulers: a drain is an edit');
  t.same(lines([svc('sh', [rs(1), rs(2, 0)])], [svc('sh', [rs(1), rs(2)])]), ['-e -t 10.255.0.1:80 -r 10.255.1.2:80 -g -w 0 -x 0 -y 0'],
    'sh reads the current weight, not last_weight: an edit');
});

t.test('adopting a table in another order (another balancer\'s history, a restart): put in order once', async (t) => {
  const kernel = [svc('mh', [rs(3), rs(1), rs(2)])];
  const cmds = plan([svc('mh', [rs(1), rs(2), rs(3)])], kernel);
  t.same(order(applyCommands(kernel, cmds)), ['1', '2', '3']);
  t.same(cmds.filter((c) => c.op === 'delete-server').map((c) => c.op === 'delete-server' && c.server.address), ['10.255.1.2', '10.255.1.1'],
    '3 stays (adds only go in front): 2 and 1 re-added before it');
  const k2 = [svc('mh', [rs(1), rs(3), rs(2), rs(4)])];
  t.same(plan([svc('mh', [rs(1), rs(2), rs(3), rs(4)])], k2).filter((c) => c.op === 'delete-server').length, 2,
    '1 [3] 2 4: 2 and 4 are in order at the tail; 3 and 1 re-added');
});

const N = 7;
const serverArb = fc.record({ n: fc.integer({ min: 1, max: N }), w: fc.integer({ min: 0, max: 3 }) });
/** One balancer's history: pools one after another, each listed in its own order. */
const poolArb = fc.uniqueArray(serverArb, { selector: (x) => x.n, maxLength: N }).chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length }));
const toServers = (xs: { n: number; w: number }[]) => xs.map(({ n, w }) => rs(n, w));

for (const scheduler of ['mh', 'sh', 'dh'] as const) {
  t.test(`${scheduler}: any history ending in the same pool gives the same kernel table input`, async (t) => {
    fc.assert(fc.property(fc.array(poolArb, { maxLength: 8 }), poolArb, poolArb, (history, final, finalOtherOrder) => {
      const same = new Map(final.map((x) => [x.n, x.w]));
      const again = finalOtherOrder.filter((x) => same.has(x.n)).map((x) => ({ n: x.n, w: same.get(x.n)! }));
      for (const x of final) if (!again.some((y) => y.n === x.n)) again.push(x);
      let list: Dest[] = [];
      let model: IpvsTable = [];
      for (const pool of [...history, final]) {
        const cmds = plan([svc(scheduler, toServers(pool))], model.length ? model : []);
        list = kernelApply(list, cmds);
        model = applyCommands(model, cmds);
        if (JSON.stringify(model[0]!.realServers) !== JSON.stringify(list.map((d) => d.server))) return false; // table-apply = the kernel's order
      }
      const fresh = kernelApply([], plan([svc(scheduler, toServers(again))], []));
      const input = scheduler === 'mh' ? mhInput : shInput;
      return JSON.stringify(input(list)) === JSON.stringify(input(fresh)) && plan([svc(scheduler, toServers(again))], asTable(scheduler, list)).length === 0;
    }), { numRuns: 600 });
    t.pass('600 random histories');
  });
}
