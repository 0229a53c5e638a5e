/** A timeout as people read it in a reason: "2s", "1.5s", "250ms". */
export function durationWords(ms: number): string {
  return ms >= 1000 ? `${String(Math.round(ms / 100) / 10)}s` : `${String(ms)}ms`;
}
