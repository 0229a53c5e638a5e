/** One dispatched server-sent event. */
export interface SseMessage {
  /** `event:` field, `message` when absent. */
  event: string;
  /** `data:` lines joined with `\n`. */
  data: string;
  /** Last `id:` seen on the stream so far (the SSE "last event ID"), `''` when none. */
  id: string;
}

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML §9.2.6): feed decoded
 * text chunks as they arrive, get back the complete events. Comments (`: ping`)
 * are reported through `onComment` so callers can use them as heartbeats.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #lastId = '';
  #sawBom = false;

  constructor(private readonly onComment?: (text: string) => void) {}

  /** Parses a chunk; returns the events completed by it (possibly none). */
  push(chunk: string): SseMessage[] {
    let text = this.#buffer + chunk;
    if (!this.#sawBom && text.length > 0) {
      this.#sawBom = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A lone CR at the end of a chunk may be the first half of CRLF: wait for more.
      if (c === 13 && i === text.length - 1) break;
      this.#line(text.slice(start, i), out);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.#buffer = text.slice(start);
    return out;
  }

  #line(line: string, out: SseMessage[]): void {
    if (line === '') {
      if (this.#data.length > 0) {
        out.push({
          event: this.#event || 'message',
          data: this.#data.join('\n'),
          id: this.#lastId,
        });
      }
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) {
      this.onComment?.(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
  }
}
