import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger.js';
import { MARKER_FILE, RestartMarker, stopKindOf } from './graceful-restart.js';

// The rule for the R bit (RFC 4724 §3): a start is a restart unless the previous vipd stopped fully.

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'vipd-gr-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('signals: SIGUSR1 is the full stop, SIGTERM and SIGINT the planned one', async (t) => {
  t.equal(stopKindOf('SIGUSR1'), 'full');
  t.equal(stopKindOf('SIGTERM'), 'planned');
  t.equal(stopKindOf('SIGINT'), 'planned');
});

t.test('first start: no restart; a planned stop keeps the routes and leaves the marker; the next start restarts', async (t) => {
  const d = dir(t);
  const a = new RestartMarker(d, silentLogger, true);
  t.equal(a.restarting, false);
  a.started();
  t.match(readFileSync(join(d, MARKER_FILE), 'utf8'), /"state":"running"/);
  t.equal(a.stopping('planned', true), true, 'routes kept');
  t.match(readFileSync(join(d, MARKER_FILE), 'utf8'), /"state":"planned-stop"/);
  const b = new RestartMarker(d, silentLogger, true);
  t.equal(b.restarting, true, 'R bit');
  b.started();
  t.equal(b.stopping('full', true), false, 'SIGUSR1 withdraws');
  t.notOk(existsSync(join(d, MARKER_FILE)), 'a full stop removes the marker');
  t.equal(new RestartMarker(d, silentLogger, true).restarting, false, 'after a full stop: a fresh start');
});

t.test('a crash (the running mark left behind, even garbled) is a restart too', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, MARKER_FILE), 'garbage');
  t.equal(new RestartMarker(d, silentLogger, true).restarting, true);
});

t.test('graceful restart off: never a restart, a planned stop is a full one, the marker goes', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, MARKER_FILE), '{"state":"running"}');
  const m = new RestartMarker(d, silentLogger, false);
  t.equal(m.restarting, false);
  m.started();
  t.notOk(existsSync(join(d, MARKER_FILE)));
  t.equal(m.stopping('planned', false), false);
  t.equal(new RestartMarker(null, silentLogger, true).stopping('planned', true), true, 'no state dir (dry run): routes kept, no marker');
});
