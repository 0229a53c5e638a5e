/**
 * A small real HTTP server speaking the SDK wire protocol, for tests only
 * (the production server lives in packages/server).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  WIRE_ROUTES,
  etagMatches,
  formatEtag,
  parseEventBatch,
  SSE_CONFIG_EVENT,
} from '@threshold/core';
import type { ConfigDocument, EventBatch, FlagConfig } from '@threshold/core';

export interface ReceivedBatch {
  batch: EventBatch;
  contentType: string;
  auth: 'header' | 'body';
}

export const TEST_TOKEN = 'sdk-test-token';

/** Builds a flag config with sensible defaults. */
export function flag(over: Partial<FlagConfig> & { key: string }): FlagConfig {
  return {
    launch: `${over.key}#1`,
    salt: `salt-${over.key}`,
    hashVersion: 1,
    unit: 'userId',
    state: 'running',
    traffic: 5000,
    audience: [],
    control: 'rest',
    ...over,
  };
}

/** Builds a config document. */
export function doc(version: string, flags: FlagConfig[]): ConfigDocument {
  return { wireVersion: 1, version, generatedAt: new Date(0).toISOString(), flags };
}

export class TestServer {
  server: Server | undefined;
  port = 0;
  config: ConfigDocument;
  /** When set, served instead of the config (to test invalid documents). */
  rawConfig: { version: string; text: string } | undefined;
  streamStatus = 200;
  /** When set, /v1/stream answers 200 text/html with this body (a misbehaving proxy). */
  streamHtml: string | undefined;
  configStatus = 200;
  eventsFailures: number[] = [];
  batches: ReceivedBatch[] = [];
  counts = { config200: 0, config304: 0, streamConnects: 0, unauthorized: 0, badBatches: 0 };
  /** `Last-Event-ID` of each stream request. */
  lastEventIds: (string | undefined)[] = [];
  /** Send `: ping` comments on open streams (turn off to simulate a silent, stuck stream). */
  pings = true;
  readonly streams = new Set<ServerResponse>();
  readonly files = new Map<string, { type: string; body: string }>();
  #pings: ReturnType<typeof setInterval> | undefined;

  constructor(initial: ConfigDocument) {
    this.config = initial;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** All events received, in order. */
  get events(): EventBatch['events'] {
    return this.batches.flatMap((b) => b.batch.events);
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.#pings = setInterval(() => {
      if (this.pings) for (const s of this.streams) s.write(': ping\n\n');
    }, 200);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.#pings);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.streams) s.destroy();
    this.streams.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Replaces the config and pushes it to every open stream. */
  setConfig(next: ConfigDocument): void {
    this.config = next;
    this.rawConfig = undefined;
    this.#broadcast(next.version, JSON.stringify(next));
  }

  /** Serves and pushes an arbitrary (possibly invalid) document text. */
  setRawConfig(version: string, text: string): void {
    this.rawConfig = { version, text };
    this.#broadcast(version, text.replace(/\n/g, ''));
  }

  #broadcast(version: string, data: string): void {
    for (const s of this.streams)
      s.write(`event: ${SSE_CONFIG_EVENT}\nid: ${version}\ndata: ${data}\n\n`);
  }

  #current(): { version: string; text: string } {
    return this.rawConfig ?? { version: this.config.version, text: JSON.stringify(this.config) };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const file = this.files.get(url.pathname);
    if (file) {
      res.writeHead(200, { 'Content-Type': file.type, 'Cache-Control': 'no-store' });
      res.end(file.body);
      return;
    }
    const bearer = req.headers.authorization === `Bearer ${TEST_TOKEN}`;
    if (req.method === 'GET' && url.pathname === WIRE_ROUTES.config) {
      if (!bearer) return this.#unauthorized(res);
      if (this.configStatus !== 200) {
        res.writeHead(this.configStatus).end();
        return;
      }
      const cur = this.#current();
      if (etagMatches(req.headers['if-none-match'], cur.version)) {
        this.counts.config304++;
        res.writeHead(304, { ETag: formatEtag(cur.version) }).end();
        return;
      }
      this.counts.config200++;
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: formatEtag(cur.version) });
      res.end(cur.text);
      return;
    }
    if (req.method === 'GET' && url.pathname === WIRE_ROUTES.stream) {
      if (!bearer) return this.#unauthorized(res);
      if (this.streamStatus !== 200) {
        res.writeHead(this.streamStatus).end();
        return;
      }
      if (this.streamHtml !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(this.streamHtml);
        return;
      }
      this.counts.streamConnects++;
      const lastEventId = req.headers['last-event-id'];
      this.lastEventIds.push(typeof lastEventId === 'string' ? lastEventId : undefined);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.flushHeaders();
      this.streams.add(res);
      res.on('close', () => this.streams.delete(res));
      const cur = this.#current();
      if (req.headers['last-event-id'] !== cur.version) {
        res.write(
          `event: ${SSE_CONFIG_EVENT}\nid: ${cur.version}\ndata: ${cur.text.replace(/\n/g, '')}\n\n`,
        );
      } else {
        res.write(': up to date\n\n');
      }
      return;
    }
    if (req.method === 'POST' && url.pathname === WIRE_ROUTES.events) {
      const text = await readBody(req);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const parsed = parseEventBatch(json);
      const bodyToken = parsed.ok && parsed.value.token === TEST_TOKEN;
      if (!bearer && !(req.headers.authorization === undefined && bodyToken)) {
        return this.#unauthorized(res);
      }
      const fail = this.eventsFailures.shift();
      if (fail !== undefined) {
        res.writeHead(fail).end();
        return;
      }
      if (!parsed.ok) {
        this.counts.badBatches++;
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'invalid event batch', errors: parsed.errors }));
        return;
      }
      this.batches.push({
        batch: parsed.value,
        contentType: req.headers['content-type'] ?? '',
        auth: bearer ? 'header' : 'body',
      });
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ accepted: parsed.value.events.length }));
      return;
    }
    res.writeHead(404).end();
  }

  #unauthorized(res: ServerResponse): void {
    this.counts.unauthorized++;
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'unauthorized' }));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(
  check: () => boolean,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
