import t from 'tap';
import { batchedLines, createLogger } from './logger.js';

t.test('json lines carry timestamp, level and merged context', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ json: true, write: (l) => lines.push(l), now: () => 0 }, { peer: '10.255.0.2' });
  log.child({ service: 'text' }).warn('server down', { server: 'mw1' });
  log.debug('hidden');
  t.equal(lines.length, 1);
  t.same(JSON.parse(lines[0]!), {
    ts: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'server down',
    peer: '10.255.0.2', service: 'text', server: 'mw1',
  });
});

t.test('terminal lines are readable key=value', async (t) => {
  const lines: string[] = [];
  const log = createLogger({ json: false, level: 'debug', write: (l) => lines.push(l), now: () => 0 });
  log.debug('checking', { server: 'mw1', reason: 'connection refused' });
  t.equal(lines[0], '1970-01-01T00:00:00.000Z DEBUG checking server=mw1 reason="connection refused"');
});

t.test('batched lines: a burst is one write at the end of the turn, or at maxBytes; flush writes what waits', async (t) => {
  const writes: string[] = [];
  const out = batchedLines((text) => writes.push(text), 20);
  out.write('one');
  out.write('two');
  t.same(writes, [], 'nothing written inside the turn');
  await new Promise((r) => setImmediate(r));
  t.same(writes, ['one\ntwo\n']);
  out.write('a line longer than twenty');
  t.same(writes.at(-1), 'a line longer than twenty\n', 'written at once past maxBytes');
  out.write('last');
  out.flush();
  t.same(writes.at(-1), 'last\n');
  await new Promise((r) => setImmediate(r));
  t.equal(writes.length, 3, 'the scheduled flush finds nothing left');
});

t.test('lines in the same millisecond share the timestamp text; the next millisecond gets its own', async (t) => {
  const lines: string[] = [];
  let now = 5;
  const log = createLogger({ json: true, write: (l) => lines.push(l), now: () => now });
  log.info('a');
  log.info('b');
  now = 6;
  log.info('c');
  t.same(lines.map((l) => (JSON.parse(l) as { ts: string }).ts), ['1970-01-01T00:00:00.005Z', '1970-01-01T00:00:00.005Z', '1970-01-01T00:00:00.006Z']);
});
