import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue } from '../config/issues.js';
import { formatOf, parseJsonPool, parseLegacyPool, parsePool } from './parse.js';

const DIR = 'test/fixtures/pools';
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

t.test('the pool fixture folder is not empty', async (t) => {
  t.ok(readdirSync(DIR).length >= 3);
});

t.test("PyBal's legacy lines; missing weight/enabled get defaults with a warning", async (t) => {
  const r = parseLegacyPool(read('pybal-legacy.pools'), 'text-servers');
  t.same(r.errors, []);
  t.same(r.servers, [
    { host: 'mw1200', weight: 10, enabled: true },
    { host: 'mw1201', weight: 5, enabled: false },
    { host: 'server3.example.com', weight: 10, enabled: true },
    { host: 'server4.example.com', weight: 20, enabled: true },
  ]);
  t.same(r.warnings.map(formatIssue), [
    "text-servers:7: server3.example.com: no 'weight', using 10",
    "text-servers:7: server3.example.com: no 'enabled', using True",
    "text-servers:8: server4.example.com: no 'enabled', using True",
  ]);
});

t.test("PyBal's JSON pools, with vipd's per-server port", async (t) => {
  const r = parseJsonPool(read('pybal.json'), 'web.json');
  t.same(r.errors, []);
  t.same(r.servers, [
    { host: 'mw1200', weight: 10, enabled: true },
    { host: 'mw1201', weight: 5, enabled: false },
    { host: 'mw1202', weight: 10, enabled: true, port: 8080 },
  ]);
});

t.test('every bad line is reported with file:line and skipped; the rest applies', async (t) => {
  const r = parseLegacyPool(read('bad.pools'), 'pools/web.pools');
  t.same(r.servers, [{ host: 'good1', weight: 10, enabled: true }, { host: 'good2', weight: 0, enabled: false, port: 8443 }]);
  t.same(r.errors.map(formatIssue), [
    "pools/web.pools:2: strweight: weight must be an integer, got '10'",
    'pools/web.pools:3: floatweight: weight must be an integer, got 10.0',
    'pools/web.pools:4: intenabled: enabled must be True or False, got 1',
    "pools/web.pools:5:50: missing '}'; line skipped",
    "pools/web.pools:6: missing 'host'",
    "pools/web.pools:7: expected a dict like { 'host': 'mw1200', 'weight': 10, 'enabled': True }, got ['not', 'a', 'dict']",
    'pools/web.pools:8: negative: weight must be between 0 and 65535, got -1',
    'pools/web.pools:10: badport: port must be an integer 1-65535, got 70000',
  ]);
  t.equal(r.fatal, false);
});

t.test('JSON: a syntax error is fatal and located; wrong entries are skipped', async (t) => {
  const bad = parseJsonPool('{\n "a": { "enabled": true, "weight": 10 },\n "b": { "enabled": tru }\n}', 'p.json');
  t.equal(bad.fatal, true);
  t.equal(bad.errors.length, 1);
  t.match(formatIssue(bad.errors[0]!), /^p\.json:3:\d+: invalid JSON: /);
  t.match(parseJsonPool('[1]', 'p.json'), { fatal: true, errors: [{ line: 1, message: /expected an object/ }] });
  const mixed = parseJsonPool('{\n "a": { "enabled": true, "weight": 10 },\n "b": { "enabled": "yes", "weight": 10 },\n "c": 5,\n "d": { "weight": 3, "pooled": true }\n}', 'p.json');
  t.same(mixed.servers, [{ host: 'a', weight: 10, enabled: true }, { host: 'd', weight: 3, enabled: true }]);
  t.same(mixed.errors.map(formatIssue), ["p.json:3: b: enabled must be True or False, got 'yes'", 'p.json:4: c: expected { "enabled": true, "weight": 10 }, got 5']);
  t.same(mixed.warnings.map(formatIssue), ["p.json:5: d: no 'enabled', using True", "p.json:5: d: unknown key 'pooled' ignored"]);
});

t.test('duplicates: the last line wins, with a warning; the format follows the name', async (t) => {
  const r = parsePool("{'host': 'a', 'weight': 1, 'enabled': True}\n{'host': 'a', 'weight': 2, 'enabled': True}\n", 'x');
  t.same(r.servers, [{ host: 'a', weight: 2, enabled: true }]);
  t.match(r.warnings[0], { line: 2, message: 'a is listed again; the last entry wins' });
  t.equal(formatOf('/etc/pybal/pools/web.json'), 'json');
  t.equal(formatOf('http://h/pools/web.json?x=1'), 'json');
  t.equal(formatOf('/etc/pybal/pools/text-servers'), 'legacy');
});

t.test('the pool files shipped in conf/pools parse cleanly', async (t) => {
  const files = readdirSync('conf/pools');
  t.ok(files.length > 0);
  for (const f of files) {
    const r = parsePool(readFileSync(join('conf/pools', f), 'utf8'), f);
    t.same(r.errors.map(formatIssue), [], f);
    t.same(r.warnings.map(formatIssue), [], f);
    t.ok(r.servers.length > 0, f);
  }
});

t.test('legacy lines with non-string keys or host', async (t) => {
  const r = parseLegacyPool("{ 1: 'x', 'host': 'a' }\n{ 'host': 5, 'weight': 1, 'enabled': True }\n", 'p');
  t.same(r.errors.map(formatIssue), ['p:1: keys must be strings, got 1', 'p:2: host must be a string, got 5']);
  t.same(r.servers, []);
});

t.test('bad lines name their host so it can keep its last good entry (badHosts)', async (t) => {
  const text = "{ 'host': 'a', 'weight': 10, 'enabled': True }\n"
    + "{ 'host': 'b', 'weight': '10', 'enabled': True }\n"
    + "{ 'host': 'c', 'weight': 10, 'enabled': Tru }\n"
    + "{ 'host': 'd' 'weight': 10 }\n"
    + "{ 'weight': 10, 'enabled': True }\n"
    + "{ 'host': 'a', 'weight': 'x', 'enabled': True }\n";
  const r = parseLegacyPool(text, 'p');
  t.same(r.servers.map((s) => s.host), ['a']);
  t.same(r.badHosts, ['b', 'c', 'd'], "a bad line for a host that also has a good one is not a bad host; no host, nothing to keep");
  t.equal(r.errors.length, 5);
  const j = parseJsonPool('{ "a": { "enabled": true, "weight": 1 }, "b": 7, "c": { "weight": "1" } }', 'p.json');
  t.same(j.badHosts, ['b', 'c']);
  t.same(parseJsonPool('{ "a": ', 'p.json').badHosts, []);
});
