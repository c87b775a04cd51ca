import t from 'tap';
import { isLoopback } from './handler.js';

t.test('only loopback clients may act: 127/8, ::1 and IPv4-mapped 127/8', async (t) => {
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) t.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '192.0.2.1', '::', '0.0.0.0', '2001:db8::1', '::ffff:10.0.0.1', 'unknown', '']) t.notOk(isLoopback(a), a);
});
