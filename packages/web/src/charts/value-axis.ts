/** Value axes: round ticks (1, 2, 2.5, 5 × 10ⁿ) and labels with just the digits the step needs. */

export interface ValueTicks {
  ticks: number[];
  step: number;
  /** Decimals every label shows. */
  decimals: number;
}

/** Round ticks inside [lo, hi], at most about `maxTicks` of them. */
export function niceTicks(lo: number, hi: number, maxTicks = 5): ValueTicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) {
    const v = Number.isFinite(lo) ? lo : 0;
    return { ticks: [v], step: 1, decimals: 0 };
  }
  const raw = (hi - lo) / Math.max(1, maxTicks);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  const step = nice * magnitude;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (nice === 2.5 ? 1 : 0));
  const ticks: number[] = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) {
    // Multiplying the index (not adding steps) keeps 0.1 + 0.2 noise out of the labels.
    ticks.push(Number((i * step).toFixed(decimals)));
  }
  return { ticks, step, decimals };
}

/** Thousands separators for the integer part: 12000 → "12,000". */
function grouped(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const withCommas = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? withCommas : `${withCommas}.${fraction}`;
}

/** A tick label: fixed decimals, "+" on positive differences when `signed`, a unit suffix ("%"); zero is "0". */
export function formatTick(
  value: number,
  decimals: number,
  options: { signed?: boolean; unit?: string } = {},
): string {
  // Zero is the reference line of a difference: plain "0", without decimals or sign.
  if (Math.abs(value) < 10 ** -(decimals + 1)) return `0${options.unit ?? ''}`;
  const magnitude = grouped(Math.abs(value).toFixed(decimals));
  const sign = value < 0 ? '-' : options.signed === true ? '+' : '';
  return `${sign}${magnitude}${options.unit ?? ''}`;
}

/** A value as the readout says it: up to 3 significant digits (more for large integers). */
export function formatReading(
  value: number | null,
  options: { signed?: boolean; unit?: string } = {},
): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const a = Math.abs(value);
  const text =
    a === 0
      ? '0'
      : a >= 1000
        ? grouped(String(Math.round(a)))
        : a < 1e-4
          ? a.toExponential(2)
          : String(Number(a.toPrecision(3)));
  const sign = value < 0 ? '-' : options.signed === true && value > 0 ? '+' : '';
  return `${sign}${text}${options.unit ?? ''}`;
}
