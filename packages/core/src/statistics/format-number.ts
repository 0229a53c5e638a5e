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
  if (e > 2) return String(Math.round(x / 10 ** (e - 2)) * 10 ** (e - 2));
  // The rounded value is M / 10^k for a whole M of three or four digits, and the
  // shortest decimal of that double is M with its point moved k places (trailing
  // zeros dropped): written from M's digits, as String() of the double would print
  // it, without the costly conversion of a double to text.
  return decimal(Math.round(x * 10 ** (2 - e)), 2 - e);
}

/** The decimal M·10^−k (k ≥ 0) in the form String() gives a number between 1e-6 and 1e21. */
function decimal(m: number, k: number): string {
  let digits = String(Math.abs(m));
  let places = k;
  while (places > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    places--;
  }
  const sign = m < 0 ? '-' : '';
  if (places === 0) return sign + digits;
  if (digits.length > places)
    return `${sign}${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  return `${sign}0.${'0'.repeat(places - digits.length)}${digits}`;
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
  // Groups of three from the right: the first group holds what is left over.
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}
