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
