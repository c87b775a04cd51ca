import t from 'tap';
import { statusRule } from './http-status.js';
import { CATALOGUE } from './monitors.js';
import { normalise } from './normalise.js';

const spec = CATALOGUE.ProxyFetch.options.http_status;
const rule = (v?: string | number | string[]) => {
  if (v === undefined) return statusRule(undefined);
  const n = normalise(spec, v);
  if (!n.ok) throw new Error(n.error);
  return statusRule(n.value);
};
const accepted = (v: string | number | string[] | undefined, codes: number[]): number[] => codes.filter((c) => rule(v).accepts(c));
const ALL = [200, 201, 202, 203, 204, 299, 300, 301, 302, 303, 304, 404, 500];

t.test('default and 200: PyBal success set 200-202', async (t) => {
  t.same(accepted(undefined, ALL), [200, 201, 202]);
  t.same(accepted(200, ALL), [200, 201, 202]);
  t.same(accepted('200', ALL), [200, 201, 202]);
});

t.test('301/302/303: the three redirect codes, not 200 (PyBal master)', async (t) => {
  for (const v of [301, '302', '303']) t.same(accepted(v, ALL), [301, 302, 303]);
});

t.test('other codes, lists and ranges are honoured exactly', async (t) => {
  t.same(accepted(404, ALL), [404]);
  t.same(accepted('204,304', ALL), [204, 304]);
  t.same(accepted(['200', '204'], ALL), [200, 204]);
  t.same(accepted('200-299', ALL), [200, 201, 202, 203, 204, 299]);
  t.same(accepted('200-204, 404', ALL), [200, 201, 202, 203, 204, 404]);
  t.equal(rule('200-299').describe, '200-299');
});
