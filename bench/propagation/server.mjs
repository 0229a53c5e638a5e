// A minimal config server speaking the SDK wire protocol (config + stream),
// run as its own process by run.mjs. It stands in for the Threshold server
// until that lands; the SDK side under test is the real client.
import { createServer } from 'node:http';
import { WIRE_ROUTES, formatEtag, etagMatches } from '../../packages/core/dist/index.js';

let version = 0;
let body = '';
const streams = new Set();

function publish() {
  version++;
  const doc = {
    wireVersion: 1,
    version: String(version),
    generatedAt: new Date().toISOString(),
    flags: [
      {
        key: 'checkout-v2',
        launch: 'checkout-v2#1',
        salt: 'bench',
        hashVersion: 1,
        unit: 'userId',
        state: 'running',
        traffic: 100 * version,
        audience: [],
        control: 'rest',
      },
    ],
  };
  body = JSON.stringify(doc);
  const frame = `event: config\nid: ${version}\ndata: ${body}\n\n`;
  for (const res of streams) res.write(frame);
}

publish();

const path = (route) => route;
const server = createServer((req, res) => {
  const url = req.url?.split('?')[0];
  if (req.headers.authorization !== 'Bearer bench') {
    res.writeHead(401).end();
    return;
  }
  if (url === path(WIRE_ROUTES.config)) {
    const etag = formatEtag(String(version));
    if (etagMatches(req.headers['if-none-match'], String(version))) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
    return;
  }
  if (url === path(WIRE_ROUTES.stream)) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    if (req.headers['last-event-id'] !== String(version)) {
      res.write(`event: config\nid: ${version}\ndata: ${body}\n\n`);
    }
    streams.add(res);
    process.send?.({ type: 'streams', count: streams.size });
    req.on('close', () => streams.delete(res));
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () =>
  process.send?.({ type: 'listening', port: server.address().port }),
);

process.on('message', (m) => {
  if (m.type === 'publish') {
    // Same clock as the client process: CLOCK_MONOTONIC is system-wide on Linux.
    const t0 = process.hrtime.bigint();
    publish();
    process.send?.({ type: 'published', version: String(version), t0: t0.toString() });
  } else if (m.type === 'stop') {
    for (const res of streams) res.end();
    server.close(() => process.exit(0));
  }
});
