import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { DOC_BEGIN, DOC_END, monitorDocTable } from './doc-table.js';
import { CATALOGUE } from './monitors.js';
import { MONITOR_KINDS, optionPrefix } from './read.js';

const DOC = 'docs/config.md';

t.test('docs/config.md lists every monitor and option of the catalogue, as the catalogue says', async (t) => {
  const text = readFileSync(DOC, 'utf8');
  const begin = text.indexOf(DOC_BEGIN);
  const end = text.indexOf(DOC_END);
  t.ok(begin >= 0 && end > begin, `${DOC} has the generated monitor table between its markers`);
  if (begin < 0 || end < begin) return;
  const inDoc = text.slice(begin + DOC_BEGIN.length, end).trim() + '\n';
  const want = monitorDocTable();
  if (process.env.VIPD_WRITE_DOCS === '1' && inDoc !== want) {
    writeFileSync(DOC, text.slice(0, begin + DOC_BEGIN.length) + '\n\n' + want + '\n' + text.slice(end));
    t.pass(`${DOC} rewritten`);
    return;
  }
  t.equal(inDoc, want, `${DOC}'s monitor table is the catalogue's (VIPD_WRITE_DOCS=1 rewrites it)`);
});

t.test('the table has a row for each monitor and each option', async (t) => {
  const table = monitorDocTable();
  for (const kind of MONITOR_KINDS) {
    t.match(table, `| **${kind}**`);
    for (const o of Object.keys(CATALOGUE[kind].options)) t.match(table, `| \`${optionPrefix(kind)}.${o}\` |`);
  }
});
