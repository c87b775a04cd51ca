import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue } from './issues.js';
import { parseConfig } from './schema.js';

const confs = readdirSync('conf').filter((f) => f.endsWith('.conf'));

t.test('conf/ ships example configs', async (t) => {
  t.ok(confs.length >= 2, `found ${confs.join(', ')}`);
});

for (const f of confs) {
  t.test(`conf/${f} parses without errors or warnings`, async (t) => {
    const path = join('conf', f);
    const r = parseConfig(readFileSync(path, 'utf8'), path);
    t.same(r.ok ? [] : r.errors.map(formatIssue), []);
    t.same(r.warnings.map(formatIssue), []);
    t.ok(r.ok && r.config.services.length > 0, 'has services');
  });
}
