import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_OVERRIDES, type OverrideSet } from '../../coordinator/overrides.js';
import { bearer, parseTokens, readAdminTokens } from './admin-tokens.js';
import { loadState, parseState, saveState } from './override-state.js';

t.test('token file: NAME:TOKEN lines, errors at file:line, private mode, match by name', async (t) => {
  t.same(parseTokens('# ops\nalice:aaaaaaaaaaaaaaaa\n\n bob : bbbbbbbbbbbbbbbb.b \n', 'f'), [
    { name: 'alice', token: 'aaaaaaaaaaaaaaaa' }, { name: 'bob', token: 'bbbbbbbbbbbbbbbb.b' }]);
  t.throws(() => parseTokens('alice:short\n', 'f'), /^f:1: the token of 'alice' must be at least 16 characters/);
  t.throws(() => parseTokens('x\nno token here\n', 'f'), /f:1: expected NAME:TOKEN[\s\S]*f:2: expected NAME:TOKEN/);
  t.throws(() => parseTokens('a:aaaaaaaaaaaaaaaa\na:bbbbbbbbbbbbbbbb\n', 'f'), /f:2: 'a' is listed twice/);
  t.throws(() => parseTokens('# nothing\n', 'f'), /f: no NAME:TOKEN line/);
  const dir = mkdtempSync(join(tmpdir(), 'vipd-tokens-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'tokens');
  writeFileSync(f, 'alice:aaaaaaaaaaaaaaaa\nbob:bbbbbbbbbbbbbbbb\n', { mode: 0o600 });
  const tokens = readAdminTokens(f);
  t.equal(tokens.match('bbbbbbbbbbbbbbbb'), 'bob');
  t.equal(tokens.match('aaaaaaaaaaaaaaaa'), 'alice');
  t.equal(tokens.match('aaaaaaaaaaaaaaa'), null);
  writeFileSync(join(dir, 'open'), 'alice:aaaaaaaaaaaaaaaa\n', { mode: 0o640 });
  t.throws(() => readAdminTokens(join(dir, 'open')), /mode 0640 lets group or others read or write it; run chmod 600/);
  t.throws(() => readAdminTokens(join(dir, 'missing')), /admin-token-file .*missing: ENOENT/);
  t.equal(bearer('Bearer abc.DEF-123'), 'abc.DEF-123');
  t.equal(bearer('bearer  abc'), 'abc');
  t.equal(bearer('Basic YWxpY2U6eA=='), null);
  t.equal(bearer('Bearer a b'), null);
  t.equal(bearer(null), null);
});

t.test('state file: atomic round trip, no temp file left, a missing file is no overrides, errors name the entry', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'state.json');
  t.equal(loadState(path), NO_OVERRIDES);
  const set: OverrideSet = {
    servers: [{ pool: 'web', host: 'be1', state: 'drained', reason: 'r', author: 'a', since: '2026-12-06T10:00:00.000Z', expires: null, forced: false }],
    instance: { state: 'depooled', reason: 'm', author: 'b', since: '2026-12-06T10:00:00.000Z', expires: '2026-12-07T10:00:00.000Z' },
  };
  saveState(path, set);
  t.same(loadState(path), set);
  t.same(readdirSync(join(dir, 'sub')), ['state.json'], 'the temp file was renamed');
  saveState(path, NO_OVERRIDES);
  t.same(loadState(path), NO_OVERRIDES);
  t.throws(() => parseState('{', 'p'), /^p: not valid JSON/);
  t.throws(() => parseState('{"version": 2, "overrides": {}}', 'p'), /p: expected \{"version": 1/);
  t.throws(() => parseState('{"version": 1, "overrides": {"servers": [{"pool": "w", "host": "h", "state": "drained", "reason": "r", "author": "a", "since": "yesterday", "expires": null}]}}', 'p'),
    /p: overrides.servers\[0\]: since must be an RFC 3339 time/);
  writeFileSync(join(dir, 'ro'), '');
  t.throws(() => saveState(join(dir, 'ro', 'state.json'), set), /state-file .*ro\/state.json: cannot write/);
});
