/**
 * Text from a plan or a server, made safe to print: a plan value with ESC or
 * BEL would otherwise drive the reader's terminal (move the cursor, rewrite
 * lines, set the title), and bidi controls could reorder what they see.
 */

// C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with each control character written as a visible escape (`\x1b`, `\u202e`); newlines and tabs kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
