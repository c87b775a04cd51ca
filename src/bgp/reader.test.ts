import t from 'tap';
import { Reader } from './reader.js';
import { CodecFailure } from './errors.js';

const FIELD = { code: 3, subcode: 1, action: 'session-reset', what: 'test field' } as const;

function failure(fn: () => unknown): CodecFailure {
  try { fn(); } catch (e) { if (e instanceof CodecFailure) return e; throw e; }
  throw new Error('did not throw');
}

t.test('reads big-endian values and moves on', async (t) => {
  const r = new Reader(new Uint8Array([1, 0, 2, 0, 0, 0, 3, 10, 0, 0, 1, 0xab, 0, 1, 2]), 0, 15, FIELD);
  t.equal(r.u8(), 1);
  t.equal(r.u16(), 2);
  t.equal(r.u32(), 3);
  t.equal(r.ipv4(), '10.0.0.1');
  t.equal(r.peek(), 0xab);
  t.equal(r.u8(), 0xab);
  t.equal(r.u24(), 0x000102);
  t.equal(r.left, 0);
});

t.test('a read past the field end throws the field\'s error, even when the buffer goes on', async (t) => {
  const b = new Uint8Array([0, 5, 1, 2, 3, 4, 5, 6, 7]);
  const r = new Reader(b, 0, 3, FIELD);
  r.u16();
  const f = failure(() => r.u16());
  t.match(f.error, { code: 3, subcode: 1, action: 'session-reset', message: /test field: 2 octets needed at offset 2, 1 left/ });
  t.equal(r.pos, 2, 'the cursor did not move');
  t.throws(() => r.peek(1));
  t.throws(() => r.bytes(2));
  t.throws(() => r.skip(-1), 'a negative length is an underrun too');
});

t.test('sub() checks its length here and gives its own error', async (t) => {
  const b = new Uint8Array([9, 9, 9, 9]);
  const r = new Reader(b, 0, 4, FIELD);
  const inner = r.sub(2, { code: 2, subcode: 0, action: 'session-reset', what: 'inner' });
  t.equal(r.pos, 2, 'the outer reader moved past it');
  inner.u16();
  t.match(failure(() => inner.u8()).error, { code: 2, subcode: 0, message: /^inner:/ });
  t.match(failure(() => r.sub(3)).error, { code: 3, subcode: 1 });
});

t.test('a field that does not fit the buffer is refused at construction', async (t) => {
  t.match(failure(() => new Reader(new Uint8Array(2), 0, 3, FIELD)).error, { code: 3, subcode: 1 });
  t.match(failure(() => new Reader(new Uint8Array(2), 2, 1, FIELD)).error, { code: 3, subcode: 1 });
});
