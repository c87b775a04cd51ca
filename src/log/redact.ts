/**
 * Secrets never leave vipd: URLs are shown with their userinfo and query values replaced, in logs,
 * alerts, the API and metrics. One place, used by every part that prints a URL.
 */
const HIDDEN = '***';

/** `http://user:pass@h/p?token=x&a` → `http://***@h/p?token=***&a`. Text that is not a URL is returned as is. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (!m) return url;
  const [, scheme, authority = '', path = '', query, fragment = ''] = m;
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : `${HIDDEN}@${authority.slice(at + 1)}`;
  return `${scheme}${host}${path}${query === undefined ? '' : redactQuery(query)}${fragment}`;
}

function redactQuery(query: string): string {
  if (query === '?') return query;
  return '?' + query.slice(1).split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq === -1 ? part : `${part.slice(0, eq)}=${HIDDEN}`;
  }).join('&');
}

// A URL ends at a space or a quote, before punctuation that ends a phrase (`URL: msg`, `URL, ...`),
// and before a `:LINE: ` that follows it (`file://x/web:7: bad weight`).
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+?(?=:\d+:\s|[.,;:)]*(?:[\s'"<>]|$))/gi;

/** Redacts every URL found inside free text (error messages, reasons). */
export function redactText(text: string): string {
  return text.includes('://') ? text.replace(URL_IN_TEXT, (u) => redactUrl(u)) : text;
}
