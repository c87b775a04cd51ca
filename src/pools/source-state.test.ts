import t from 'tap';
import { SourceState } from './source-state.js';
import { silentLogger } from '../log/logger.js';
import type { PoolServer } from './types.js';

function setup() {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const events: string[] = [];
  const s = new SourceState('file:///p', silentLogger);
  s.bind((u) => { updates.push(u); events.push('update'); }, (a) => { alerts.push(a); events.push('alert'); }, () => events.push('recover'));
  return { s, updates, alerts, events };
}
const a = { host: 'a', weight: 10, enabled: true };
const b = { host: 'b', weight: 10, enabled: false };
const ok = (servers: PoolServer[]) => ({ servers, errors: [], warnings: [], fatal: false });

t.test('updates only on change, in host order', async (t) => {
  const { s, updates } = setup();
  t.equal(s.last(), null);
  s.accept([b, a]);
  s.accept([a, b]);
  t.same(updates, [[a, b]]);
  s.accept([a]);
  t.same(updates, [[a, b], [a]]);
  s.accept([]);
  t.same(updates[2], [], 'an explicit empty list from accept() is delivered');
});

t.test('alerts once per distinct problem, again after recovery', async (t) => {
  const { s, alerts } = setup();
  s.alert('down'); s.alert('down'); s.alert('other');
  t.same(alerts, ['down', 'other']);
  s.ok();
  s.alert('other');
  t.same(alerts, ['down', 'other', 'other']);
});

t.test('parsed lists: fatal or empty-after-good keeps the last list and alerts', async (t) => {
  const { s, updates, alerts } = setup();
  s.applyParsed(ok([a, b]));
  s.applyParsed({ servers: [], errors: [{ file: 'p', line: 1, message: 'invalid JSON: x' }], warnings: [], fatal: true });
  t.same(alerts, ['p:1: invalid JSON: x']);
  s.applyParsed(ok([]));
  t.match(alerts[1], 'no servers in the new list; keeping the previous 2');
  s.applyParsed({ servers: [a], errors: [{ file: 'p', line: 2, message: 'bad' }], warnings: [], fatal: false });
  t.same(updates, [[a, b], [a]], 'a partly bad list applies its good part');
  t.same(s.last(), [a]);
  const copy = s.last()!;
  copy[0]!.weight = 99;
  t.equal(s.last()![0]!.weight, 10, 'last() hands out copies');
});

t.test('recovery is heard once per alert, before the list it comes with, and also without a new list', async (t) => {
  const { s, events } = setup();
  s.ok();
  s.applyParsed(ok([a]));
  t.same(events, ['update'], 'no recovery without a problem first');
  s.applyParsed(ok([]));
  s.applyParsed(ok([a]));
  t.same(events, ['update', 'alert', 'recover'], 'the previous list back: recovered, nothing to deliver');
  s.applyParsed({ servers: [a, b], errors: [{ file: 'p', line: 2, message: 'bad' }], warnings: [], fatal: false });
  t.same(events.slice(3), ['alert', 'update'], 'a list with errors is no recovery');
  s.applyParsed(ok([b]));
  t.same(events.slice(5), ['recover', 'update']);
  s.ok();
  t.equal(events.length, 7, 'recovered once');
});

t.test('a host named only by bad lines keeps its last good entry; a new bad host adds nothing', async (t) => {
  const { s, updates, alerts } = setup();
  const c = { host: 'c', weight: 5, enabled: true };
  s.applyParsed(ok([a, b, c]));
  const bad = (line: number, host: string) => ({ file: 'p', line, message: `${host}: weight must be an integer, got '10'` });
  s.applyParsed({ servers: [a], errors: [bad(2, 'b'), bad(3, 'c'), bad(4, 'new')], warnings: [], fatal: false, badHosts: ['b', 'c', 'new'] });
  t.same(s.last(), [a, b, c], 'b and c keep their entries; new is not added');
  t.equal(updates.length, 1, 'nothing changed, nothing delivered');
  t.equal(alerts[0], "p:2: b: weight must be an integer, got '10'; p:3: c: weight must be an integer, got '10'; "
    + "p:4: new: weight must be an integer, got '10'; kept the previous entry of b, c");
  s.applyParsed({ servers: [{ ...a, weight: 7 }], errors: [bad(2, 'b')], warnings: [], fatal: false, badHosts: ['b'] });
  t.same(s.last(), [{ ...a, weight: 7 }, b], 'c, gone from the text, goes; b stays');
});

t.test('pool-max-servers: a longer list is refused whole, alerted once, the last list stays', async (t) => {
  const updates: PoolServer[][] = [];
  const alerts: string[] = [];
  const s = new SourceState('http://user:pw@h/p?token=t', silentLogger, { maxServers: 2, maxBytes: 1000, maxLines: 10 });
  s.bind((u) => updates.push(u), (m) => alerts.push(m));
  s.applyParsed(ok([a, b]));
  const c = { host: 'c', weight: 1, enabled: true };
  s.applyParsed(ok([a, b, c]));
  s.applyParsed(ok([a, b, c]));
  t.same(updates, [[a, b]]);
  t.same(alerts, ['http://***@h/p?token=***: 3 servers, more than pool-max-servers 2; refused whole, keeping the previous 2 servers']);
  await s.applyText('\n'.repeat(20), 'http://user:pw@h/p?token=t', 'legacy');
  t.equal(alerts[1], 'http://***@h/p?token=***: pool text has 20 lines, more than the limit of 10; refused whole, keeping the previous 2 servers');
  t.equal(await s.applyText("{ 'host': 'c', 'weight': 1, 'enabled': True }\n", 'p', 'legacy'), true);
  t.same(updates[1], [c]);
});

t.test('every alert is redacted, and a problem still there is re-raised with a new list', async (t) => {
  const { s, events, alerts } = setup();
  s.alert('fetch http://u:secret@h/x?key=abc failed');
  t.equal(alerts[0], 'fetch http://***@h/x?key=*** failed');
  s.accept([a]);
  t.same(events, ['alert', 'update'], 'raised just before: not repeated');
  s.accept([a, b]);
  t.same(events, ['alert', 'update', 'alert', 'update'], 'still not recovered: raised again with the next list');
  t.equal(alerts.length, 2);
});
