/** Reads request bodies with a byte limit, so no request can make the server buffer without bound. */
import type { Context } from 'hono';
import { HttpError } from './http-error.js';

/** The media type of a request, lowercased, without parameters ('' when absent). */
export function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Throws 415 unless the request's media type is one of `accepted`. */
export function requireMediaType(c: Context, accepted: readonly string[]): string {
  const type = mediaType(c);
  if (!accepted.includes(type)) {
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type === '' ? '(none)' : `'${type}'`} is not accepted here; send one of ${accepted.join(', ')}`,
      { accepted },
    );
  }
  return type;
}

function tooLarge(limit: number): HttpError {
  return new HttpError('PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`, {
    limitBytes: limit,
  });
}

/** The body as UTF-8 text; 413 as soon as it passes `limit` bytes (declared or actual). */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError('MALFORMED_BODY', 'the body is not valid UTF-8 text');
  }
}

/** Parses JSON text; 400 MALFORMED_BODY naming where it broke. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '')
    throw new HttpError('MALFORMED_BODY', 'the body is empty; send a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new HttpError('MALFORMED_BODY', `the body is not valid JSON: ${reason}`);
  }
}

/** A JSON body (application/json) read with `limit`. */
export async function readJsonBody(c: Context, limit: number): Promise<unknown> {
  requireMediaType(c, ['application/json']);
  return parseJsonText(await readBodyText(c, limit));
}
