import t from 'tap';
import fc from 'fast-check';
import { eachLine, LineFeed } from './slices.js';

const linesOf = (text: string): [string, number][] => {
  const out: [string, number][] = [];
  eachLine(text, (l, n) => out.push([l, n]));
  return out;
};

t.test('LineFeed: a text cut into any pieces gives the lines (and numbers) of the whole text', async (t) => {
  fc.assert(fc.property(fc.array(fc.constantFrom('a', 'bc', '\n', '\n\n', '-A -t 10.0.0.1:80 -s wrr', 'é')), fc.array(fc.nat(200)), (parts, cuts) => {
    const text = parts.join('');
    const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    const got: [string, number][] = [];
    const feed = new LineFeed((l, n) => got.push([l, n]));
    let from = 0;
    for (const c of [...at, text.length]) { feed.push(text.slice(from, c)); from = c; }
    feed.end();
    t.same(got, linesOf(text), JSON.stringify({ text, at }));
  }), { numRuns: 300 });
});
