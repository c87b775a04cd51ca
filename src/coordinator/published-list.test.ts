// The published list patched by the changed servers = the list built from scratch, whether the
// changes are spliced in (a few) or merged in one pass (many: a rack failing).
import t from 'tap';
import fc from 'fast-check';
import type { DesiredRealServer, ServerState } from './types.js';
import { patchList } from './published-list.js';

const server = (seq: number): ServerState => ({
  host: `h${seq}`, weight: 10, enabled: true, ready: true, resolving: false, ip: `10.0.0.${seq}`, up: true, pooled: true, monitors: [], entry: null, seq,
});
const entry = (s: ServerState, weight: number): DesiredRealServer => ({ host: s.host, ip: s.ip!, port: 80, weight });

t.test('patched = built from scratch, for any changes', async (t) => {
  let merged = 0, spliced = 0;
  fc.assert(fc.property(
    fc.array(fc.boolean(), { maxLength: 60, size: 'max' }), // published before, per server
    fc.array(fc.tuple(fc.nat(59), fc.constantFrom<'drop' | 'add' | 'reweigh' | 'same'>('drop', 'add', 'reweigh', 'same')), { maxLength: 30, size: 'max' }),
    (before, changes) => {
      const servers = before.map((_, i) => server(i * 3)); // gaps in seq, as after removals
      const now = new Map<ServerState, DesiredRealServer | null>();
      for (const [i, s] of servers.entries()) now.set(s, before[i] ? entry(s, 10) : null);
      const rs = servers.filter((s) => now.get(s)).map((s) => now.get(s)!);
      const ss = servers.filter((s) => now.get(s));
      const original = rs.slice();
      const touched = new Set<ServerState>();
      for (const [i, what] of changes) {
        const s = servers[i];
        if (!s) continue;
        touched.add(s);
        if (what === 'drop') now.set(s, null);
        else if (what === 'add' || (what === 'reweigh' && now.get(s))) now.set(s, entry(s, what === 'add' ? 10 : 20 + i));
      }
      const want = servers.filter((s) => now.get(s)).map((s) => now.get(s)!);
      const edits = [...touched].filter((s) => (ss.includes(s) ? rs[ss.indexOf(s)] !== now.get(s) : now.get(s) !== null)).length;
      const got = patchList(rs, ss, touched, (s) => now.get(s) ?? null);
      if (rs.length !== original.length || rs.some((e, i) => e !== original[i])) throw new Error('the list handed out before was modified');
      const result = got?.rs ?? rs;
      if (result.length !== want.length || result.some((e, i) => e !== want[i])) throw new Error(`got ${JSON.stringify(result)} want ${JSON.stringify(want)}`);
      if (got && got.ss.some((s, i) => now.get(s) !== got.rs[i])) throw new Error('the server index does not match the list');
      if (edits > 4) merged++; else if (edits > 0) spliced++;
      return true;
    },
  ), { numRuns: 500 });
  t.ok(merged > 50 && spliced > 50, `both ways exercised: ${merged} merged, ${spliced} spliced`);
});

t.test('nothing changed: null (the publisher sends no batch)', async (t) => {
  const s = [server(1), server(2)];
  const rs = s.map((x) => entry(x, 10));
  t.equal(patchList(rs, s.slice(), s, (x) => rs[s.indexOf(x)]!), null);
});
