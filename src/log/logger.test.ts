import t from 'tap';
import { createLogger } from './logger.js';

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
