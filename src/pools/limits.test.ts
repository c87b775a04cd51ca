import t from 'tap';
import { checkBytes, checkPoolText, checkServers, DEFAULT_LIMITS, limitsWith } from './limits.js';

const line = (h: string) => `{ 'host': '${h}', 'weight': 10, 'enabled': True }\n`;

t.test('defaults: 10000 servers, 16 MiB, 100000 lines; pool-max-servers overrides the first', async (t) => {
  t.same(DEFAULT_LIMITS, { maxServers: 10_000, maxBytes: 16 * 1024 * 1024, maxLines: 100_000 });
  t.same(limitsWith(20), { ...DEFAULT_LIMITS, maxServers: 20 });
  t.same(limitsWith(undefined), DEFAULT_LIMITS);
});

t.test('a legacy text: server lines (not comments or blanks) against pool-max-servers', async (t) => {
  const l = limitsWith(3);
  const three = `# comment\n\n${line('a')}   \n${line('b')}  # indented comment\n${line('c')}`;
  t.equal(checkPoolText(three, 'legacy', l), null);
  t.equal(checkPoolText(three + line('d'), 'legacy', l), 'pool text has 4 server lines, more than pool-max-servers 3');
  t.equal(checkPoolText('{"a": {}, "b": {}, "c": {}, "d": {}}', 'json', l), null, 'JSON is counted after parsing');
});

t.test('a 100,001-line text and a text over 16 MiB are refused before parsing', async (t) => {
  const lines = '\n'.repeat(100_001);
  t.equal(checkPoolText(lines, 'json', DEFAULT_LIMITS), 'pool text has 100001 lines, more than the limit of 100000');
  t.equal(checkPoolText('\n'.repeat(99_999), 'json', DEFAULT_LIMITS), null);
  const big = `{"a": "${'x'.repeat(16 * 1024 * 1024)}"}`;
  t.equal(checkPoolText(big, 'json', DEFAULT_LIMITS), 'pool text is 16 MiB, more than the limit of 16 MiB');
  t.equal(checkBytes(17 * 1024 * 1024, DEFAULT_LIMITS), 'pool text is 17 MiB, more than the limit of 16 MiB');
  t.equal(checkBytes(16 * 1024 * 1024, DEFAULT_LIMITS), null);
  t.equal(checkBytes(300, { ...DEFAULT_LIMITS, maxBytes: 200 }), 'pool text is 300 bytes, more than the limit of 200 bytes');
});

t.test('a 100,000-line legacy pool is refused by pool-max-servers without parsing', async (t) => {
  const text = Array.from({ length: 100_000 }, (_, i) => line(`mw${i}`)).join('');
  t.equal(checkPoolText(text, 'legacy', DEFAULT_LIMITS), 'pool text has 100000 server lines, more than pool-max-servers 10000');
});

t.test('lists against pool-max-servers', async (t) => {
  t.equal(checkServers(10_000, DEFAULT_LIMITS), null);
  t.equal(checkServers(10_001, DEFAULT_LIMITS), '10001 servers, more than pool-max-servers 10000');
});
