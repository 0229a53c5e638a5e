/** A real local HTTP receiver for webhook tests: records every request; answers from a script. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as received. */
export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When it arrived (ms). */
  at: number;
}

/** A running receiver. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Status codes to answer, in order ('hang': never answer); 200 once they run out. */
  script: (number | 'hang')[];
  /** Called on every request once it is read. */
  onRequest?: (r: Received) => void;
  close(): Promise<void>;
}

/** Start a receiver on a free port. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = { url: '', received, script: [], close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = {
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      received.push(got);
      const answer = r.script.shift() ?? 200;
      r.onRequest?.(got);
      if (answer === 'hang') return;
      res.statusCode = answer;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
