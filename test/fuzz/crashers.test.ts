// Replays every saved fuzz crasher (test/fixtures/crashers/<target>/*) through its target: each
// must now give a result (never throw) with an output inside the bound. The hand-built BGP
// crashers (test/fixtures/crashers/*.json, checked field by field in src/bgp/crashers.test.ts)
// replay through the bgp target too. A crasher listed in its folder's open.json is a known,
// reported bug in code this branch does not own: it runs as a todo until its owner fixes it.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { check } from '../../bench/fuzz/check.js';
import { targetNamed } from '../../bench/fuzz/registry.js';

const DIR = resolve('test/fixtures/crashers');
interface Open { kind: string; why: string; owner: string }

const folders = readdirSync(DIR).filter((n) => statSync(join(DIR, n)).isDirectory()).sort();
t.ok(folders.length > 0, `crasher folders in ${DIR}: ${folders.join(', ')}`);

for (const folder of folders) {
  const target = targetNamed(folder);
  const dir = join(DIR, folder);
  const openPath = join(dir, 'open.json');
  const open = (existsSync(openPath) ? JSON.parse(readFileSync(openPath, 'utf8')) : {}) as Record<string, Open>;
  const files = readdirSync(dir).filter((n) => n.endsWith('.in')).sort();
  t.test(`crashers/${folder}`, async (t) => {
    t.ok(target, `'${folder}' names a fuzz target (bench/fuzz/registry.ts)`);
    t.ok(files.length > 0, `${folder} holds crashers`);
    for (const name of Object.keys(open)) t.ok(files.includes(name), `open.json lists ${name}, which exists`);
    if (!target) return;
    for (const name of files) {
      const known = open[name];
      if (known && (known.kind === 'hang' || known.kind === 'memory')) {
        t.pass(`${name}: not run, open ${known.kind} (${known.owner})`, { todo: known.why });
        continue;
      }
      const f = check(target, new Uint8Array(readFileSync(join(dir, name))));
      const label = `${name}: no throw, output bounded${f ? ` — ${f.kind}: ${f.message.split('\n')[0]}` : ''}`;
      if (known) t.equal(f, null, label, { todo: `open ${known.kind} (${known.owner}): ${known.why}` });
      else t.equal(f, null, label);
    }
  });
}

t.test('the hand-built BGP crashers replay through the bgp target', async (t) => {
  const bgp = targetNamed('bgp');
  const files = readdirSync(DIR).filter((n) => n.endsWith('.json'));
  t.ok(bgp && files.length >= 30, `${files.length} JSON crashers`);
  for (const name of files) {
    const c = JSON.parse(readFileSync(join(DIR, name), 'utf8')) as { fields: [string, string][] };
    const f = check(bgp!, new Uint8Array(Buffer.from(c.fields.map(([h]) => h).join(''), 'hex')));
    t.equal(f, null, `${name}${f ? `: ${f.message}` : ''}`);
  }
});
