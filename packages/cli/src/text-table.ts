/** Plain-text tables: columns padded to their widest cell, no trailing spaces. */

/** Render rows as aligned lines, each starting with `indent`; the last column is never padded. */
export function renderTable(
  rows: readonly (readonly string[])[],
  indent = '  ',
  gap = '  ',
): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  }
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join(gap)}`.trimEnd(),
  );
}

/** Display width: code points, which is right for the plain text and symbols we print. */
export function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}
