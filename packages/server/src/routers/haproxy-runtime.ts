/**
 * A client of HAProxy's Runtime API (the `stats socket` of its global section)
 * over a unix socket or TCP: one connection per command line, in HAProxy's
 * non-interactive mode, which answers and closes. Commands are built from plan
 * names the schema restricts to `[A-Za-z0-9._:-]`, so a name can never carry a
 * second command.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** Where the Runtime API listens. */
export type RuntimeAddress = { path: string } | { host: string; port: number };

/** Why a Runtime API call failed. */
export class RuntimeApiError extends Error {
  constructor(
    message: string,
    readonly failure: 'unreachable' | 'timeout' | 'aborted' | 'closed',
  ) {
    super(message);
    this.name = 'RuntimeApiError';
  }
}

/**
 * Parse `unix:///run/haproxy/admin.sock`, `unix:/run/…`, `/run/…` or
 * `tcp://127.0.0.1:9999`; throws a message naming what is wrong.
 */
export function parseRuntimeAddress(address: string): RuntimeAddress {
  const a = address.trim();
  if (a.startsWith('/')) return { path: a };
  if (a.startsWith('unix:')) {
    const path = a.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/'))
      throw new Error(
        `a unix socket address needs an absolute path, got ${JSON.stringify(address)}`,
      );
    return { path };
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(a);
  if (m === null)
    throw new Error(
      `expected unix:///path/to/admin.sock, /path/to/admin.sock or tcp://host:port, got ${JSON.stringify(address)}`,
    );
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536))
    throw new Error(`port out of range in ${JSON.stringify(address)}`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** The address as people read it. */
export function runtimeAddressText(a: RuntimeAddress): string {
  return 'path' in a
    ? `unix:${a.path}`
    : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** Send one command line (`;` separates commands) and return everything HAProxy answered. */
export function runtimeCommand(
  address: RuntimeAddress,
  command: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new RuntimeApiError('the call was abandoned', 'aborted'));
      return;
    }
    let settled = false;
    let output = '';
    const socket: Socket =
      'path' in address ? connect(address.path) : connect(address.port, address.host);
    const finish = (err: RuntimeApiError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err === null) resolve(output);
      else reject(err);
    };
    const onAbort = () => finish(new RuntimeApiError('the call was abandoned', 'aborted'));
    const timer = setTimeout(
      () => finish(new RuntimeApiError(`no answer within ${options.timeoutMs} ms`, 'timeout')),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: string) => {
      output += chunk;
      // A runaway answer is not a weight: stop reading.
      if (output.length > 1_000_000) finish(new RuntimeApiError('answer too long', 'closed'));
    });
    socket.on('end', () => finish(null));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      finish(
        new RuntimeApiError(
          code === 'ECONNRESET' || code === 'EPIPE'
            ? `the connection broke (${code})`
            : `unreachable (${code})`,
          code === 'ECONNRESET' || code === 'EPIPE' ? 'closed' : 'unreachable',
        ),
      );
    });
  });
}
