/**
 * The status page's HTML primitives. Every text from config, pool lists, monitors, peers or logs
 * reaches the page only through esc() (element text and attribute values alike).
 */
import { duration } from '../views.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A stable, safe element id from parts (for focus restore across live updates). */
export function domId(prefix: string, ...parts: string[]): string {
  return prefix + '-' + parts.map((p) => [...p].map((c) => /[A-Za-z0-9]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}_`).join('')).join('--');
}

/** "3m12s ago" with the absolute UTC time as a tooltip; an em dash for null. */
export function ago(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return '<span class="muted">—</span>';
  const iso = new Date(at).toISOString();
  return `<time datetime="${esc(iso)}" title="${esc(iso)}">${esc(duration(now - at))} ago</time>`;
}

/** A table with a caption; `cells` are already-escaped HTML, each labelled for the phone layout. */
export function table(caption: string, head: string[], rows: string[][], cls = ''): string {
  if (rows.length === 0) return `<p class="muted">${esc(caption)}: none</p>`;
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td data-label="${esc(head[i] ?? '')}">${c}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table${cls ? ` class="${esc(cls)}"` : ''}><caption>${esc(caption)}</caption>`
    + `<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A word with a colour class: good (green), bad (red), warn (amber), or plain. */
export function badge(text: string, tone: 'good' | 'bad' | 'warn' | 'plain'): string {
  return `<span class="badge ${tone}">${esc(text)}</span>`;
}
