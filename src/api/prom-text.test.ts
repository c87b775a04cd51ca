import t from 'tap';
import { floatToGoString, PromWriter, pythonFloatRepr, renderFamilies, valueText } from './prom-text.js';

t.test('values print as prometheus_client 0.6 prints them (checked against Python repr + floatToGoString)', async (t) => {
  const cases: [number, string][] = [
    [0, '0.0'], [1, '1.0'], [-1, '-1.0'], [0.5, '0.5'], [3, '3.0'], [10, '10.0'], [1e-5, '1e-05'], [0.0001, '0.0001'],
    [0.00012345, '0.00012345'], [1e15, '1e+015'], [1e16, '1e+16'], [1e17, '1e+17'], [123456.7, '123456.7'],
    [1234567, '1.234567e+06'], [1733459329.5, '1.7334593295e+09'], [1733459329, '1.733459329e+09'],
    [0.1 + 0.2, '0.30000000000000004'], [-1234567.5, '-1234567.5'], [1e22, '1e+22'], [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'], [0.005, '0.005'], [100, '100.0'], [999999.9, '999999.9'],
    [64600, '64600.0'], [12.345678901234567, '12.345678901234567'], [1e6, '1e+06'], [1e7, '1e+07'],
    [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'],
  ];
  for (const [v, s] of cases) t.equal(floatToGoString(v), s, String(v));
  t.equal(pythonFloatRepr(-0), '-0.0');
  t.equal(pythonFloatRepr(2.5e-7), '2.5e-07');
});

t.test('labels sorted by name and escaped; HELP escaped; empty families left out', async (t) => {
  const text = renderFamilies([
    { name: 'a_total', help: 'A\\B\nC', type: 'counter', samples: [{ labels: { z: '1', a: 'x"y\\\n' }, value: 2 }] },
    { name: 'empty', help: 'nothing', type: 'gauge', samples: [] },
    { name: 'b', help: 'B', type: 'gauge', samples: [{ labels: {}, value: 1 }] },
  ]);
  t.equal(text, '# HELP a_total A\\\\B\\nC\n# TYPE a_total counter\na_total{a="x\\"y\\\\\\n",z="1"} 2.0\n'
    + '# HELP b B\n# TYPE b gauge\nb 1.0\n');
});

t.test('PromWriter: a sample\'s value written from its digits reads as valueText; the buffer grows; a family with no sample is left out', async (t) => {
  const w = new PromWriter(1); // grows from its smallest
  const values = [0, 1, 9, 10, 99, 100, 999, 1000, 12345, 99999, 100000, 999999, 1e6, 1234567, -1, -0, 0.5, 2.5e-7, 1e22, NaN, Infinity];
  for (let i = 0; i < 200; i++) for (const v of values) w.sample(`s{i="${i}",h="hôst"}`, v);
  const expected = Array.from({ length: 200 }, (_, i) => values.map((v) => `s{i="${i}",h="hôst"} ${valueText(v)}\n`).join('')).join('');
  t.equal(w.finish().toString('utf8'), expected);
  const text = renderFamilies([
    { name: 'a', help: 'A', type: 'gauge', samples: [], *write(w) { w.sample('a{x="1"}', 3); yield; } },
    { name: 'none', help: 'N', type: 'gauge', samples: [], *write() { yield; } },
    { name: 'b', help: 'B', type: 'gauge', samples: [{ labels: {}, value: 1 }], *write(w) { w.sample('b{x="2"}', 0.25); } },
  ]);
  t.equal(text, '# HELP a A\n# TYPE a gauge\na{x="1"} 3.0\n# HELP b B\n# TYPE b gauge\nb 1.0\nb{x="2"} 0.25\n');
});
