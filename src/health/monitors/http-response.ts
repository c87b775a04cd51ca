/** Pure HTTP/1.x response parsing for the lean ProxyFetch client: status line, headers, body. */

export interface ResponseHead {
  status: number;
  headers: Map<string, string>;
  /** Offset of the first body byte in the buffer the head was parsed from. */
  bodyOffset: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** null while the head is incomplete; a string error when it is malformed. */
export function parseHead(buf: Buffer): ResponseHead | string | null {
  const end = buf.indexOf(CRLFCRLF);
  if (end < 0) return buf.length > 64 * 1024 ? 'response head larger than 64 KiB' : null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const m = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!m) return `malformed status line '${(lines[0] ?? '').slice(0, 80)}'`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line '${line.slice(0, 80)}'`;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(m[1]), headers, bodyOffset: end + 4 };
}

/** Status code from the first bytes, without waiting for the headers to end. */
export function peekStatus(buf: Buffer): number | string | null {
  if (buf.length < 12) return null;
  // RFC 9112 §4: the status code is the three digits after "HTTP/1.x "
  if (buf[0] !== 0x48 || buf[1] !== 0x54 || buf[2] !== 0x54 || buf[3] !== 0x50 || buf[4] !== 0x2f || buf[8] !== 0x20) {
    return `malformed status line '${buf.subarray(0, 40).toString('latin1').split('\r\n')[0]}'`;
  }
  const d0 = buf[9]! - 48, d1 = buf[10]! - 48, d2 = buf[11]! - 48;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return 'malformed status code';
  return d0 * 100 + d1 * 10 + d2;
}

/** Decodes a chunked body (RFC 9112 §7.1) as far as it goes; trailers are ignored. */
export function decodeChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (let guard = 0; guard < 100_000 && pos < raw.length; guard++) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(pos, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(raw.subarray(eol + 2, Math.min(raw.length, eol + 2 + size)));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The body as text, de-chunked when needed and cut at `max` bytes. */
export function bodyText(head: ResponseHead, raw: Buffer, max: number): string {
  const body = raw.subarray(head.bodyOffset);
  const te = head.headers.get('transfer-encoding') ?? '';
  const decoded = /\bchunked\b/i.test(te) ? decodeChunked(body) : body;
  return decoded.subarray(0, max).toString('utf8');
}
