/**
 * What the API answers for the status page: `GET /` from a browser (Accept: text/html), its live
 * fragment, script and stylesheet. Every answer carries a strict CSP: only this server's own
 * script and stylesheet, fetches back to itself, no framing.
 */
import type { StatusSnapshot } from '../types.js';
import { APP_CSS } from './app-css.js';
import { APP_JS } from './app-js.js';
import { PAGE_CSS, PAGE_JS, PAGE_LIVE, renderLive, renderPage } from './render.js';

export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
  + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface PageAnswer { status: number; type: string; body: string; headers: Record<string, string> }

const SECURITY = { 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Whether this GET is the page's: `/` asked for as HTML, or one of /page/*. */
export function isPagePath(path: string, acceptsHtml: boolean): boolean {
  return (path === '/' && acceptsHtml) || path === PAGE_JS || path === PAGE_CSS || path === PAGE_LIVE || path === FAVICON;
}

/** Browsers ask for it on every page: no icon, and no 404 in their console. */
const FAVICON = '/favicon.ico';

/** Static parts need no status snapshot. */
export function pageAsset(path: string): PageAnswer | null {
  if (path === FAVICON) return { status: 204, type: 'image/x-icon', body: '', headers: SECURITY };
  if (path === PAGE_JS) return { status: 200, type: 'text/javascript; charset=utf-8', body: APP_JS, headers: SECURITY };
  if (path === PAGE_CSS) return { status: 200, type: 'text/css; charset=utf-8', body: APP_CSS, headers: SECURITY };
  return null;
}

export function pageAnswer(path: string, snap: StatusSnapshot): PageAnswer {
  const body = path === PAGE_LIVE ? renderLive(snap) : renderPage(snap);
  return { status: 200, type: 'text/html; charset=utf-8', body, headers: SECURITY };
}
