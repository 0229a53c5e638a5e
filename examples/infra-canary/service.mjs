#!/usr/bin/env node
// One version of a small HTTP service: it answers its version name (and the
// `x-version` header), and fails a share of requests with 500 when told to,
// the fault a canary should catch. Run it alone with
//   node examples/infra-canary/service.mjs web-v2 8082 [--error-rate 0.3]
import { createServer } from 'node:http';

/** Start a version on `port` (0: any free one). Its `errorRate` can be changed while it runs. */
export async function startService({ version, port = 0, errorRate = 0 }) {
  const state = { errorRate, owed: 0, served: 0 };
  const server = createServer((req, res) => {
    state.served++;
    // Failures spread evenly, so every second shows the same error rate.
    state.owed += state.errorRate;
    const fail = state.owed >= 1;
    if (fail) state.owed -= 1;
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain', 'x-version': version });
    res.end(fail ? `${version}: injected fault\n` : `${version}\n`);
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    version,
    port: server.address().port,
    get served() {
      return state.served;
    },
    get errorRate() {
      return state.errorRate;
    },
    set errorRate(r) {
      state.errorRate = r;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [version = 'web-v1', port = '8081'] = process.argv.slice(2);
  const i = process.argv.indexOf('--error-rate');
  const errorRate = i > 0 ? Number(process.argv[i + 1]) : 0;
  const s = await startService({ version, port: Number(port), errorRate });
  console.log(`${version} on http://127.0.0.1:${s.port} (error rate ${errorRate})`);
}
