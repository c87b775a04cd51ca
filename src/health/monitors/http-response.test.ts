import t from 'tap';
import { bodyText, decodeChunked, parseHead, peekStatus } from './http-response.js';

t.test('peekStatus reads the code from the first bytes', async (t) => {
  t.equal(peekStatus(Buffer.from('HTTP/1.1 503 Service Unavailable\r\n')), 503);
  t.equal(peekStatus(Buffer.from('HTTP/1.0 200 OK\r\n')), 200);
  t.equal(peekStatus(Buffer.from('HTTP/1.1 20')), null, 'incomplete');
  t.match(peekStatus(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')), /malformed status line 'SSH-2.0-OpenSSH_9.2'/);
  t.equal(peekStatus(Buffer.from('HTTP/1.1 2x0 OK\r\n')), 'malformed status code');
});

t.test('parseHead: status, headers, body offset; incomplete and malformed', async (t) => {
  const raw = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
  const head = parseHead(raw);
  if (head === null || typeof head === 'string') { t.fail(String(head)); return; }
  t.equal(head.status, 200);
  t.equal(head.headers.get('content-type'), 'text/plain');
  t.equal(raw.subarray(head.bodyOffset, head.bodyOffset + 1).toString(), '5');
  t.equal(bodyText(head, raw, 1000), 'hello');
  t.equal(bodyText(head, raw, 3), 'hel');
  t.equal(parseHead(Buffer.from('HTTP/1.1 200 OK\r\nX: y\r\n')), null);
  t.match(parseHead(Buffer.from('HTTP/2 200\r\n\r\n')), /malformed status line/);
  t.match(parseHead(Buffer.from('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')), /malformed header line 'no colon'/);
});

t.test('decodeChunked joins chunks, ignores extensions, stops at the last chunk', async (t) => {
  t.equal(decodeChunked(Buffer.from('3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n')).toString(), 'abc0123456789');
  t.equal(decodeChunked(Buffer.from('5\r\nhel')).toString(), 'hel', 'a cut body gives what arrived');
  t.equal(decodeChunked(Buffer.from('zz\r\n')).toString(), '');
});
