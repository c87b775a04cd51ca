import t from 'tap';
import { EventRing, recordEvents } from './event-ring.js';
import { createLogger } from './logger.js';

t.test('keeps the last N lines, newest first, with child context', async (t) => {
  let now = 1000;
  const ring = new EventRing(3, () => now++);
  const lines: string[] = [];
  const log = recordEvents(createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) }), ring);
  log.debug('not an event');
  log.info('one');
  const c = log.child({ service: 'web' }).child({ server: 'a' });
  c.warn('two', { extra: 1 });
  c.error('three');
  log.info('four');
  const got = ring.list();
  t.same(got.map((e) => e.msg), ['four', 'three', 'two'], 'bounded, newest first');
  t.same(got[1]!.ctx, { service: 'web', server: 'a' });
  t.same(got[2]!.ctx, { service: 'web', server: 'a', extra: 1 });
  t.equal(got[2]!.level, 'warn');
  t.equal(lines.length, 5, 'every line still reaches the real logger (debug included)');
  t.match(lines[2], /"service":"web"/);
});

t.test('long values are cut; capacity is checked', async (t) => {
  const ring = new EventRing(2);
  ring.push('info', 'batch', { batch: 'x'.repeat(1000) });
  t.equal(String(ring.list()[0]!.ctx.batch).length, 301);
  t.throws(() => new EventRing(0), /positive integer/);
});
