/**
 * A server-sent-events response written by hand (the format is four lines), so
 * the bytes are exactly what docs/wire-protocol.md says: `event:`/`id:`/`data:`
 * frames and `: ping` comments on an idle stream.
 */

/** One SSE connection's writer. */
export interface SseWriter {
  /** Sends one event; data must be one line (JSON.stringify output is). */
  send(event: string, data: string, id?: string): void;
  /** Sends a comment line (`: text`), e.g. the keep-alive ping. */
  comment(text: string): void;
  /** Ends the stream. */
  close(): void;
  readonly closed: boolean;
}

/** Options of {@link sseResponse}. */
export interface SseOptions {
  /** A `: ping` comment at least this often (ms). */
  pingIntervalMs: number;
  /** Called once with the writer when the stream starts. */
  start(writer: SseWriter): void;
  /** Called once when the stream ends for any reason (client gone, server closing). */
  onClose(): void;
  /** Aborted when the client disconnects. */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

/** A `text/event-stream` response driven by `start`; pings run until it closes. */
export function sseResponse(options: SseOptions, headers: Record<string, string> = {}): Response {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let ping: ReturnType<typeof setInterval> | undefined;

  const finish = () => {
    if (closed) return;
    closed = true;
    if (ping !== undefined) clearInterval(ping);
    try {
      controller?.close();
    } catch {
      // Already closed by the reader's cancel.
    }
    options.onClose();
  };
  const write = (text: string) => {
    if (closed || controller === undefined) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      finish();
    }
  };
  const writer: SseWriter = {
    send(event, data, id) {
      write(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`);
    },
    comment(text) {
      write(`: ${text}\n\n`);
    },
    close: finish,
    get closed() {
      return closed;
    },
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      ping = setInterval(() => writer.comment('ping'), options.pingIntervalMs);
      ping.unref();
      options.signal?.addEventListener('abort', finish, { once: true });
      // Flushes the head right away so clients see the stream open.
      writer.comment('connected');
      options.start(writer);
    },
    cancel() {
      finish();
    },
  });

  return new Response(stream, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...headers,
    },
  });
}
