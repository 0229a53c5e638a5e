/** Reads a server-sent-event response with the SDK's own parser, message by message. */
import { SseParser } from '@threshold/sdk';
import type { SseMessage } from '@threshold/sdk';

/** One SSE connection under test. */
export interface SseReader {
  /** The next event (skipping comments), or throws if the stream ends first. */
  next(): Promise<SseMessage>;
  /** The next comment line (e.g. `ping`). */
  nextComment(): Promise<string>;
  /** Events received and not yet taken by next(). */
  readonly buffered: number;
  close(): Promise<void>;
}

/** Opens `url` as an SSE stream with the given headers. */
export async function openSse(
  url: string,
  headers: Record<string, string>,
): Promise<{ res: Response; sse: SseReader }> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const parser = new SseParser((c) => comments.push(c));
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let ended = false;

  const pump = async (): Promise<void> => {
    if (reader === undefined) throw new Error('no body');
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      return;
    }
    events.push(...parser.push(decoder.decode(value, { stream: true })));
  };
  const until = async <T>(queue: T[]): Promise<T> => {
    for (;;) {
      const item = queue.shift();
      if (item !== undefined) return item;
      if (ended) throw new Error('stream ended');
      await pump();
    }
  };
  return {
    res,
    sse: {
      next: () => until(events),
      nextComment: () => until(comments),
      get buffered() {
        return events.length;
      },
      async close() {
        abort.abort();
        await reader?.cancel().catch(() => undefined);
      },
    },
  };
}
