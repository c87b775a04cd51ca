/**
 * A tiny inline SVG line of the last check durations (oldest left), scaled to its own maximum,
 * with a text alternative for screen readers. Pure; values in ms.
 */
import { esc } from './html.js';

export const SPARK_W = 64;
export const SPARK_H = 16;

const fmt = (ms: number): string => (ms >= 100 ? Math.round(ms).toString() : ms.toFixed(1));

/** The polyline's points for `values` in a w×h box (1px padding top and bottom). */
export function sparkPoints(values: readonly number[], w = SPARK_W, h = SPARK_H): string {
  const v = values.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  if (v.length === 0) return '';
  const max = Math.max(...v) || 1;
  const step = v.length > 1 ? w / (v.length - 1) : 0;
  return v.map((x, i) => `${+(i * step).toFixed(1)},${+(h - 1 - (x / max) * (h - 2)).toFixed(1)}`).join(' ');
}

/** The SVG (or a dash when there is no sample yet); `label` names the series (e.g. the monitor). */
export function sparkline(values: readonly number[], label: string): string {
  if (values.length === 0) return '<span class="muted">—</span>';
  const v = values.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const last = v[v.length - 1]!;
  const text = `${label}: last ${v.length} checks ${fmt(Math.min(...v))}–${fmt(Math.max(...v))} ms, latest ${fmt(last)} ms`;
  return `<span class="spark"><svg role="img" aria-label="${esc(text)}" width="${SPARK_W}" height="${SPARK_H}" viewBox="0 0 ${SPARK_W} ${SPARK_H}">`
    + `<title>${esc(text)}</title><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="${sparkPoints(v)}"/></svg>`
    + ` <span class="num">${esc(fmt(last))} ms</span></span>`;
}
