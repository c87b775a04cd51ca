import t from 'tap';
import fc from 'fast-check';
import { parseIni } from './ini.js';
import { parsePythonLiteral, pyRepr, type PyValue } from './python-literal.js';
import { parseConfig } from './schema.js';
import { parsePool } from '../pools/parse.js';

const at = 0;
const pyValue = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    fc.string().map((value) => ({ kind: 'str' as const, value, at })),
    fc.integer().map((value) => ({ kind: 'int' as const, value, at })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)).map((value) => ({ kind: 'float' as const, value, at })),
    fc.boolean().map((value) => ({ kind: 'bool' as const, value, at })),
    fc.constant<PyValue>({ kind: 'none', at }),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({ kind: 'list' as const, items, at })),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => ({ kind: 'tuple' as const, items, at })),
    fc.array(fc.tuple(fc.string().map((value): PyValue => ({ kind: 'str', value, at })), tie('value')), { maxLength: 3 })
      .map((entries) => ({ kind: 'dict' as const, entries, at })),
  ),
})).value;

t.test('python literals: repr then parse gives the same value', async (t) => {
  fc.assert(fc.property(pyValue, (v) => {
    const text = pyRepr(v);
    const r = parsePythonLiteral(text);
    return r.ok && pyRepr(r.value) === text;
  }), { numRuns: 500 });
  t.pass('500 random values round-tripped');
});

t.test('no input makes a parser throw: they return located errors', async (t) => {
  const text = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'[]{}()\'",:=%#; \n\tTrueNonesrv.host0x9e-\\') }));
  fc.assert(fc.property(text, (s) => {
    const lit = parsePythonLiteral(s, { refs: true });
    if (!lit.ok && (lit.error.line < 1 || lit.error.column < 1)) return false;
    parseIni(s, 'f');
    parseConfig(`[web]\nmonitors = ${s}\n` + s, 'f');
    parsePool(s, 'p', 'legacy');
    parsePool(s, 'p.json', 'json');
    return true;
  }), { numRuns: 1000 });
  t.pass('1000 random inputs, no exception');
});
