/** Item checks the catalogue attaches to options; each returns an error (without the key) or null. Pure. */
import { redactText } from '../../log/redact.js';

/** RFC 1035 §2.3.4: labels of 1-63 octets, a name of at most 255 octets on the wire. */
export function dnsNameError(name: string): string | null {
  const labels = name.replace(/\.$/, '').split('.');
  let wire = 1;
  for (const l of labels) {
    const n = Buffer.byteLength(l, 'ascii');
    if (n < 1 || n > 63) return `bad DNS name '${name}': label '${l}' must be 1-63 characters`;
    wire += 1 + n;
  }
  return wire > 255 ? `bad DNS name '${name}': longer than 255 octets` : null;
}

/** ProxyFetch URLs: http or https (PYBAL.md §3.2); secrets stay out of the message. */
export function httpUrlError(text: string): string | null {
  let u: URL;
  try { u = new URL(text); } catch { return `not a valid URL: '${redactText(text)}'`; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme must be http or https, got '${redactText(text)}'`;
  return null;
}

export function regexError(pattern: string): string | null {
  try { new RegExp(pattern); return null; } catch (e) { return `not a valid regular expression: ${(e as Error).message}`; }
}

/** RunCommand runs with an empty environment, so there is no PATH (PYBAL.md §3.4). */
export const absolutePathError = (p: string): string | null =>
  p.startsWith('/') ? null : `must be an absolute path (there is no PATH), got '${p}'`;

export const envEntryError = (kv: string): string | null =>
  kv.indexOf('=') > 0 ? null : `entries must be NAME=VALUE, got '${kv}'`;
