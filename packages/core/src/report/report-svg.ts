/**
 * The launch report's charts as inline SVG (plain elements, no script), drawn
 * the way the dashboard draws them (ADR 0028): the difference with its
 * anytime-valid interval as a band against the margin, which is a heavier
 * dash-dot line, the breaching side hatched; the share planned against actual
 * as two step lines, distinct by stroke as well as colour (Okabe-Ito).
 */
import { formatShare } from '../plan/quantities.js';
import type { LaunchReportModel } from './launch-report.js';

const WIDTH = 720;
const HEIGHT = 220;
const M = { left: 64, right: 16, top: 16, bottom: 40 };
const BLUE = '#0072B2';
const VERMILION = '#D55E00';
const GREY = '#555555';

/** Round a coordinate so the SVG text stays short. */
const c = (x: number) => String(Math.round(x * 10) / 10);

/** Text into SVG/HTML. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

/** A wall-clock label in UTC (reports are read anywhere: one zone, said once). */
function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function timeScale(from: number, to: number) {
  const span = Math.max(to - from, 10_000);
  const start = from - (span - (to - from)) / 2;
  const plotW = WIDTH - M.left - M.right;
  return {
    x: (ms: number) => M.left + ((ms - start) / span) * plotW,
    ticks: [start, start + span / 2, start + span],
  };
}

function frame(label: string, body: string[], xTicks: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(label)}" font-family="system-ui, sans-serif" font-size="11">${body.join('')}${xTicks.join('')}<text x="${c(M.left + (WIDTH - M.left - M.right) / 2)}" y="${HEIGHT - 6}" text-anchor="middle" fill="${GREY}">time (UTC)</text></svg>`;
}

/** One KPI's difference and interval over its recorded looks against the margin; null without points. */
export function kpiChartSvg(series: LaunchReportModel['charts'][number]): string | null {
  const pts = series.points.filter((p) => p.difference !== null);
  if (pts.length === 0) return null;
  const first = pts[0]?.at ?? 0;
  const last = pts[pts.length - 1]?.at ?? first;
  const t = timeScale(first, last);
  const values = pts
    .flatMap((p) => [p.difference, p.low, p.high])
    .filter((v): v is number => v !== null);
  if (series.threshold !== null) values.push(series.threshold);
  if (series.bad !== null) values.push(0);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const plotH = HEIGHT - M.top - M.bottom;
  const y = (v: number) => M.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const fmt = (v: number) =>
    series.relative === true
      ? `${(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`
      : String(Number(v.toPrecision(3)));
  const body: string[] = [
    `<defs><pattern id="hatch-${escapeXml(series.kpi)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="${VERMILION}" stroke-width="1" opacity="0.5"/></pattern></defs>`,
  ];
  for (const v of [lo + pad, (lo + hi) / 2, hi - pad])
    body.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${c(y(v))}" y2="${c(y(v))}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${c(y(v) + 4)}" text-anchor="end" fill="${GREY}">${escapeXml(fmt(v))}</text>`,
    );
  if (series.threshold !== null) {
    const ty = y(series.threshold);
    // The side of the margin that breaches is hatched.
    const breachUp = series.bad !== 'decrease';
    const top = breachUp ? M.top : ty;
    const h = breachUp ? ty - M.top : M.top + plotH - ty;
    if (h > 0)
      body.push(
        `<rect data-breach-zone x="${M.left}" y="${c(top)}" width="${WIDTH - M.left - M.right}" height="${c(h)}" fill="url(#hatch-${escapeXml(series.kpi)})"/>`,
      );
    body.push(
      `<line data-margin x1="${M.left}" x2="${WIDTH - M.right}" y1="${c(ty)}" y2="${c(ty)}" stroke="${VERMILION}" stroke-width="2" stroke-dasharray="8 3 2 3"/>`,
      `<text x="${WIDTH - M.right - 4}" y="${c(ty - 4)}" text-anchor="end" fill="${VERMILION}">${series.bad === null ? 'limit' : 'margin'} ${escapeXml(fmt(series.threshold))}</text>`,
    );
  }
  if (series.bad !== null)
    body.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${c(y(0))}" y2="${c(y(0))}" stroke="${GREY}" stroke-width="1"/>`,
    );
  const banded = pts.filter((p) => p.low !== null && p.high !== null);
  if (banded.length > 0) {
    const upper = banded.map((p) => `${c(t.x(p.at))},${c(y(p.high ?? 0))}`);
    const lower = [...banded].reverse().map((p) => `${c(t.x(p.at))},${c(y(p.low ?? 0))}`);
    body.push(
      `<polygon data-interval points="${[...upper, ...lower].join(' ')}" fill="${BLUE}" fill-opacity="0.18" stroke="${BLUE}" stroke-dasharray="1 2"/>`,
    );
  }
  body.push(
    `<polyline data-difference fill="none" stroke="${BLUE}" stroke-width="2" points="${pts.map((p) => `${c(t.x(p.at))},${c(y(p.difference ?? 0))}`).join(' ')}"/>`,
  );
  const step = Math.max(1, Math.ceil(pts.length / 40));
  pts.forEach((p, i) => {
    if (i % step !== 0 && i !== pts.length - 1) return;
    const px = t.x(p.at);
    const py = y(p.difference ?? 0);
    const fill = p.verdict === 'breach' ? VERMILION : p.verdict === 'pass' ? BLUE : '#fff';
    body.push(
      `<path d="M${c(px)} ${c(py - 4)}L${c(px + 4)} ${c(py)}L${c(px)} ${c(py + 4)}L${c(px - 4)} ${c(py)}Z" fill="${fill}" stroke="${BLUE}"><title>${escapeXml(`${clock(p.at)} ${p.phase}: ${fmt(p.difference ?? 0)} [${p.low === null ? '–∞' : fmt(p.low)}, ${p.high === null ? '∞' : fmt(p.high)}] ${p.verdict}`)}</title></path>`,
    );
  });
  const xTicks = t.ticks.map(
    (ms) =>
      `<text x="${c(t.x(ms))}" y="${HEIGHT - M.bottom + 16}" text-anchor="middle" fill="${GREY}">${clock(ms)}</text>`,
  );
  return frame(`${series.kpi}: difference and interval against the margin`, body, xTicks);
}

/** The treatment share over time: planned (each phase at its earliest) against actual. */
export function trafficChartSvg(
  report: Pick<LaunchReportModel, 'traffic' | 'timeline' | 'generatedAt' | 'launch'>,
): string {
  const created = Date.parse(report.launch.createdAt);
  const ended = report.launch.status === 'completed' || report.launch.status === 'rolled-back';
  const lastChange = report.traffic[report.traffic.length - 1]?.at ?? created;
  const end = ended ? lastChange : Math.max(lastChange, Date.parse(report.generatedAt));
  const planned = report.timeline.map((p) => ({
    at: created + p.plannedStartMs,
    share: p.plannedTraffic,
  }));
  const plannedEnd =
    created +
    (report.timeline.at(-1)?.plannedStartMs ?? 0) +
    (report.timeline.at(-1)?.plannedMinDurationMs ?? 0) +
    (report.timeline.at(-1)?.plannedBakeMs ?? 0);
  const t = timeScale(created, Math.max(end, plannedEnd));
  const plotH = HEIGHT - M.top - M.bottom;
  const y = (share: number) => M.top + (1 - share) * plotH;
  const steps = (points: readonly { at: number; share: number }[], until: number) => {
    const out: string[] = [];
    points.forEach((p, i) => {
      const next = points[i + 1]?.at ?? until;
      out.push(`${c(t.x(p.at))},${c(y(p.share))}`, `${c(t.x(next))},${c(y(p.share))}`);
    });
    return out.join(' ');
  };
  const body: string[] = [];
  for (const v of [0, 0.5, 1])
    body.push(
      `<line x1="${M.left}" x2="${WIDTH - M.right}" y1="${c(y(v))}" y2="${c(y(v))}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${c(y(v) + 4)}" text-anchor="end" fill="${GREY}">${formatShare(v)}</text>`,
    );
  body.push(
    `<polyline data-planned fill="none" stroke="${GREY}" stroke-width="2" stroke-dasharray="6 4" points="${steps(planned, plannedEnd)}"/>`,
    `<polyline data-actual fill="none" stroke="${BLUE}" stroke-width="2.5" points="${steps(report.traffic, end)}"/>`,
    `<line x1="${M.left + 8}" x2="${M.left + 32}" y1="${M.top + 6}" y2="${M.top + 6}" stroke="${GREY}" stroke-width="2" stroke-dasharray="6 4"/><text x="${M.left + 36}" y="${M.top + 10}">planned (earliest)</text>`,
    `<line x1="${M.left + 150}" x2="${M.left + 174}" y1="${M.top + 6}" y2="${M.top + 6}" stroke="${BLUE}" stroke-width="2.5"/><text x="${M.left + 178}" y="${M.top + 10}">actual</text>`,
  );
  const xTicks = t.ticks.map(
    (ms) =>
      `<text x="${c(t.x(ms))}" y="${HEIGHT - M.bottom + 16}" text-anchor="middle" fill="${GREY}">${clock(ms)}</text>`,
  );
  return frame('Treatment share over time: planned against actual', body, xTicks);
}
