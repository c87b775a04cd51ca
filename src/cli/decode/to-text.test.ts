// `vipd decode`'s text: a damaged capture's timestamp outside a Date's range is shown, never thrown
// (captures-fuzz.test.ts found it: seed 313599584, a flipped byte in a record's time).
import t from 'tap';
import { jsonToText } from './to-text.js';

t.test('a timestamp a Date cannot hold is printed as seconds', async (t) => {
  const line = (ts: number) => jsonToText({ ts, src: '10.0.0.1', dst: '10.0.0.2', type: 'KEEPALIVE', length: 19 }, 1);
  t.match(line(1_700_000_000.25), /^#1 2023-11-14 22:13:20\.250000 10\.0\.0\.1 > 10\.0\.0\.2 KEEPALIVE \(19 bytes\)/);
  t.match(line(1.8e13), /^#1 18000000000000 s \(not a date\) 10\.0\.0\.1 > /);
});
