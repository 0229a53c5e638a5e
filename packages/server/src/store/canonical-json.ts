/**
 * Canonical JSON (RFC 8785, JCS): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers exactly as ECMAScript `JSON.stringify` writes
 * them. Two parties holding the same data produce the same bytes, which is what
 * the audit hash chain needs.
 */

/**
 * Serialize `value` canonically. Follows `JSON.stringify` for what JSON cannot
 * hold (`toJSON` is honoured; `undefined` members are dropped, `undefined` in
 * arrays and non-finite numbers become null), so that parsing the output and
 * serializing again gives the same text.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value);
  return out === undefined ? 'null' : out;
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON: () => unknown }).toJSON());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      // JSON has no bigints; writing digits keeps the value rather than throwing mid-audit.
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v: unknown) => write(v) ?? 'null').join(',')}]`;
      }
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        const v = write(obj[key]);
        if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      // undefined, functions and symbols have no JSON form.
      return undefined;
  }
}
