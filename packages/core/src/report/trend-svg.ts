/**
 * A trend over time buckets as inline SVG (plain elements, no script): one
 * line with a labelled marker per bucket, gaps where a bucket has no value.
 * The portfolio page draws its trends with it, so they print as they show.
 */
import { escapeXml } from './report-svg.js';

const WIDTH = 560;
const HEIGHT = 180;
const M = { left: 60, right: 16, top: 16, bottom: 36 };
const BLUE = '#0072B2';
const GREY = '#555555';

const c = (x: number) => String(Math.round(x * 10) / 10);

/** One bucket of a trend. */
export interface TrendPoint {
  /** Its label on the time axis, e.g. 2026-12-03. */
  label: string;
  value: number | null;
}

/** The trend as SVG; `format` writes values (axis and markers). */
export function trendChartSvg(
  title: string,
  points: readonly TrendPoint[],
  format: (v: number) => string,
): string {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const hi = values.length === 0 ? 1 : Math.max(...values, 0) || 1;
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = (i: number) =>
    M.left + (points.length <= 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number) => M.top + (1 - v / hi) * plotH;
  const body: string[] = [];
  // A label said twice ("0s, 0s, 1s" for sub-second halves) is drawn once.
  const seen = new Set<string>();
  for (const v of [0, hi / 2, hi]) {
    const label = format(v);
    if (seen.has(label)) continue;
    seen.add(label);
    body.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${c(y(v))}" y2="${c(y(v))}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${c(y(v) + 4)}" text-anchor="end" fill="${GREY}">${escapeXml(label)}</text>`,
    );
  }
  // Consecutive buckets with values are joined; a bucket without one breaks the line.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1)
      body.push(
        `<polyline fill="none" stroke="${BLUE}" stroke-width="2" points="${run.join(' ')}"/>`,
      );
    run = [];
  };
  points.forEach((p, i) => {
    if (p.value === null) return flush();
    run.push(`${c(x(i))},${c(y(p.value))}`);
  });
  flush();
  points.forEach((p, i) => {
    if (p.value !== null)
      body.push(
        `<circle data-value="${p.value}" cx="${c(x(i))}" cy="${c(y(p.value))}" r="4" fill="${BLUE}"><title>${escapeXml(`${p.label}: ${format(p.value)}`)}</title></circle>`,
      );
  });
  const step = Math.max(1, Math.ceil(points.length / 6));
  points.forEach((p, i) => {
    if (i % step === 0 || i === points.length - 1)
      body.push(
        `<text x="${c(x(i))}" y="${HEIGHT - M.bottom + 16}" text-anchor="middle" fill="${GREY}">${escapeXml(p.label)}</text>`,
      );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}" font-family="system-ui, sans-serif" font-size="11">${body.join('')}</svg>`;
}
