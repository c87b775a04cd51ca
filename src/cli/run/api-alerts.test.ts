import t from 'tap';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { ApiAlerts } from './api-alerts.js';

t.test('the api alert: critical while the worker is down, a warning for a minute after, limit hits meanwhile ignored', async (t) => {
  const clock = new FakeClock();
  const alerts = new Map<string, string>();
  const a = new ApiAlerts(clock, {
    raiseAlert: (source, level, message) => alerts.set(source, `${level}: ${message}`),
    clearAlert: (source) => alerts.delete(source),
  });
  a.limitHit('request rate limit hit by 127.0.0.9');
  t.equal(alerts.get('api'), 'warning: request rate limit hit by 127.0.0.9');
  a.workerDown('Error: boom');
  t.equal(alerts.get('api'), 'critical: instrumentation API down: its worker died (Error: boom); restarting it');
  clock.advance(120_000);
  t.match(alerts.get('api'), /^critical/, 'the limit hit\'s clearing timer does not clear the down alert');
  a.limitHit('connection limit hit by 127.0.0.9');
  t.match(alerts.get('api'), /^critical/, 'a limit hit does not hide the death');
  a.workerUp(1500, 'Error: boom');
  t.equal(alerts.get('api'), 'warning: instrumentation API worker restarted after 1.5 s down; it died: Error: boom');
  clock.advance(59_000);
  t.ok(alerts.has('api'), 'still shown before a minute');
  clock.advance(1000);
  t.notOk(alerts.has('api'), 'cleared a minute after the restart');
});
