/**
 * Power curves as an inline SVG: chance of being caught against the size of the
 * regression, one line per KPI, with the Monte Carlo (Wilson) interval of every
 * point as an error bar. Plain SVG elements only, so the report needs no script.
 */
import { changeWords, percentWords } from '@threshold/core';
import type { PowerCurve } from '@threshold/core';
import { escapeHtml } from './escape-html.js';

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 56, right: 16, top: 16, bottom: 48 };
/** Colour-blind-safe line colours (Okabe & Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Round a coordinate so the SVG text stays short and identical everywhere. */
function c(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** The chart, or null when no curve has at least one injected size. */
export function powerCurveSvg(curves: readonly PowerCurve[]): string | null {
  const drawn = curves.filter((k) => k.points.some((p) => p.size !== 0));
  if (drawn.length === 0) return null;
  // Regressions are plotted by magnitude, so decreases and increases share one axis.
  const sizes = drawn.flatMap((k) => k.points.map((p) => Math.abs(p.size)));
  const maxX = Math.max(...sizes) || 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + (Math.abs(v) / maxX) * plotW;
  const y = (v: number) => MARGIN.top + (1 - v) * plotH;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = i / 4;
    parts.push(
      `<line class="grid" x1="${c(MARGIN.left)}" x2="${c(WIDTH - MARGIN.right)}" y1="${c(y(v))}" y2="${c(y(v))}"/>`,
      `<text class="tick" x="${c(MARGIN.left - 6)}" y="${c(y(v) + 4)}" text-anchor="end">${v * 100}%</text>`,
    );
  }
  const relative = drawn.every((k) => k.relative);
  for (let i = 0; i <= 4; i++) {
    const v = (maxX * i) / 4;
    const label = relative ? percentWords(v) : String(Number(v.toPrecision(3)));
    parts.push(
      `<text class="tick" x="${c(x(v))}" y="${c(HEIGHT - MARGIN.bottom + 18)}" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${c(MARGIN.left)}" x2="${c(WIDTH - MARGIN.right)}" y1="${c(y(0))}" y2="${c(y(0))}"/>`,
    `<line class="axis" x1="${c(MARGIN.left)}" x2="${c(MARGIN.left)}" y1="${c(y(0))}" y2="${c(y(1))}"/>`,
    `<text class="label" x="${c(MARGIN.left + plotW / 2)}" y="${c(HEIGHT - 8)}" text-anchor="middle">size of the regression${relative ? '' : ' (in each KPI’s unit)'}</text>`,
    `<text class="label" transform="translate(14 ${c(MARGIN.top + plotH / 2)}) rotate(-90)" text-anchor="middle">launches that catch it</text>`,
  );
  drawn.forEach((curve, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000000';
    const points = curve.points.map((p) => `${c(x(p.size))},${c(y(p.caught.rate))}`).join(' ');
    parts.push(`<g class="curve" stroke="${colour}" fill="${colour}">`);
    parts.push(`<polyline fill="none" stroke-width="2" points="${points}"/>`);
    for (const p of curve.points) {
      const title = `${curve.kpi} ${changeWords(p.size, curve.relative)}: caught in ${percentWords(p.caught.rate)} [${percentWords(p.caught.low)}–${percentWords(p.caught.high)}] of ${p.caught.runs} launches`;
      parts.push(
        `<line stroke-width="1.5" x1="${c(x(p.size))}" x2="${c(x(p.size))}" y1="${c(y(p.caught.low))}" y2="${c(y(p.caught.high))}"/>`,
        `<circle r="3.5" cx="${c(x(p.size))}" cy="${c(y(p.caught.rate))}"><title>${escapeHtml(title)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const where = curve.fromPhase === null ? '' : ` (from ${curve.fromPhase})`;
    const ly = MARGIN.top + 8 + i * 16;
    parts.push(
      `<rect x="${c(MARGIN.left + 12)}" y="${c(ly - 8)}" width="10" height="10" fill="${colour}"/>`,
      `<text class="legend" x="${c(MARGIN.left + 28)}" y="${c(ly + 1)}">${escapeHtml(curve.kpi + where)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Power curves: chance of catching a regression by its size">${parts.join('')}</svg>`;
}
