/**
 * The http source against a real HTTP server started here: per-arm sums from
 * JSON, templated urls, and every failure as a reason in words.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPlanError, parsePlan } from '@threshold/core';
import type { Kpi } from '@threshold/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerMetrics } from '../../src/metrics/server-metrics.js';
import { HttpSource } from '../../src/sources/http-source.js';
import type { SourceReadRequest } from '../../src/sources/metric-source.js';
import { metricSourceContract } from './metric-source-contract.js';
import { HAVE_OPENSSL, makeCertificates } from './tls-certificates.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function kpis(items: string): Kpi[] {
  const r = parsePlan(`launch: checkout-v2
owner: payments
phases:
  - { name: canary, traffic: 10% }
  - { name: full, traffic: 100% }
kpis:
  efficiency:
${items}`);
  if (!r.valid) throw new Error(r.errors.map(formatPlanError).join('\n'));
  return r.plan.kpis.efficiency;
}

const request = (list: Kpi[]): SourceReadRequest => ({
  launchId: 'L 1',
  launch: 'checkout-v2',
  phase: 'canary',
  phaseStartedAt: T0,
  nowMs: T0 + 600_000,
  kpis: list,
});

let server: Server;
let base = '';
const seen: { url: string; authorization: string | undefined }[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const arm = url.searchParams.get('arm');
  switch (url.pathname) {
    case '/api/cost':
      return json(200, {
        cost:
          arm === 'treatment'
            ? { units: 100, sum: 25, sum_squares: 9 }
            : { units: 120, sum: 24, sum_squares: 7, arm: 'control' },
      });
    case '/api/rows':
      return json(200, [
        { arm: 'control', units: '50', sum: '5', sum_squares: '5' },
        { arm: 'treatment', units: 40, sum: 8, sum_squares: 8 },
      ]);
    case '/api/empty':
      return json(200, { rows: [] });
    case '/api/number':
      return json(200, { data: { cost: 0.25 } });
    case '/api/broken':
      return json(503, { error: 'maintenance' });
    case '/api/html':
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>sign in</html>');
    case '/api/slow':
    case '/api/slow/rows':
    case '/api/slow/cost':
      return; // never answers
    default:
      return json(404, {});
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const source = (timeoutMs = 5000) =>
  new HttpSource({
    name: 'finops',
    kind: 'http',
    url: base,
    timeoutMs,
    auth: { type: 'bearer', token: 's3cret' },
  });

metricSourceContract('http', {
  setup() {
    // Paths under the source's url, so the same KPIs go to the unreachable and hanging ones.
    const list = kpis(`    - { name: rows, kind: count, source: http, url: rows, guard: { max: 1 } }
    - { name: cost, kind: mean, source: http, url: "/cost?arm={{arm}}", select: cost, guard: { max: 1 } }
    - { name: empty, kind: count, source: http, url: empty, select: rows, guard: { max: 1 } }
    - { name: broken, kind: count, source: http, url: broken, guard: { max: 1 } }
`);
    const [rows, cost, empty, broken] = list as [Kpi, Kpi, Kpi, Kpi];
    return Promise.resolve({
      source: source(),
      request: request([]),
      healthy: [
        { kpi: rows, expect: { treatment: 0.2, control: 0.1 }, tolerance: 1e-9 },
        { kpi: cost, expect: { treatment: 0.25, control: 0.2 }, tolerance: 1e-9 },
      ],
      empty,
      broken,
    });
  },
  async unreachable() {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    return new HttpSource({
      name: 'http',
      kind: 'http',
      url: `http://127.0.0.1:${String(port)}/api`,
      timeoutMs: 2000,
    });
  },
  hanging() {
    // The same server, where every path under /api/slow/ never answers.
    return Promise.resolve(
      new HttpSource({ name: 'http', kind: 'http', url: `${base}/slow`, timeoutMs: 1000 }),
    );
  },
  teardown: () => Promise.resolve(),
});

describe('http source on a real HTTP server', () => {
  it('reads per-arm sums at select, one request per arm, with placeholders percent-encoded', async () => {
    const list = kpis(`    - name: cost
      kind: mean
      source: http
      source_name: finops
      url: ${base}/cost?arm={{arm}}&launch={{launch_id}}&since={{since}}
      select: cost
      guard: { max_increase: 30% }
`);
    seen.length = 0;
    const reading = await source().read(request(list));
    expect(reading.kpis['cost']).toEqual({
      ok: true,
      basis: 'per-unit',
      data: {
        treatment: { kind: 'mean', units: 100, sum: 25, sumSquares: 9 },
        control: { kind: 'mean', units: 120, sum: 24, sumSquares: 7 },
      },
      queries: {
        treatment: `${base}/cost?arm=treatment&launch=L%201&since=2026-12-01T10%3A00%3A00.000Z`,
        control: `${base}/cost?arm=control&launch=L%201&since=2026-12-01T10%3A00%3A00.000Z`,
      },
    });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret']);
  });

  it('reads an array of rows with an arm field from one request', async () => {
    const list = kpis(
      `    - { name: rows, kind: count, source: http, url: "${base}/rows", guard: { max: 1 } }\n`,
    );
    const reading = await source().read(request(list));
    expect(reading.kpis['rows']).toMatchObject({
      ok: true,
      data: {
        treatment: { kind: 'count', units: 40, sum: 8, sumSquares: 8 },
        control: { kind: 'count', units: 50, sum: 5, sumSquares: 5 },
      },
    });
  });

  it('refuses a single number, naming what a guard needs instead', async () => {
    const list = kpis(
      `    - { name: n, kind: mean, source: http, url: "${base}/number?arm={{arm}}", select: data.cost, guard: { max: 1 } }\n`,
    );
    const reading = await source().read(request(list));
    expect(reading.kpis['n']).toMatchObject({
      ok: false,
      reason: `http finops at ${base}/: the response of n is a single number at data.cost; an http KPI needs per-arm sums (units, sum, sum_squares, or the ratio sums), because one number has no variance for a guard to judge`,
    });
  });

  it('turns an error status, a body that is not JSON, a timeout and a foreign url into reasons', async () => {
    const list =
      kpis(`    - { name: broken, kind: mean, source: http, url: "${base}/broken?arm={{arm}}", guard: { max: 1 } }
    - { name: html, kind: mean, source: http, url: "${base}/html?arm={{arm}}", guard: { max: 1 } }
    - { name: slow, kind: mean, source: http, url: "${base}/slow?arm={{arm}}", guard: { max: 1 } }
    - { name: foreign, kind: mean, source: http, url: "http://169.254.169.254/latest?arm={{arm}}", guard: { max: 1 } }
`);
    const s = source(1000);
    const reading = await s.read(request(list));
    const reason = (name: string) => {
      const r = reading.kpis[name];
      return r?.ok === false ? r.reason : 'ok';
    };
    const at = `http finops at ${base}/`;
    expect(reason('broken')).toBe(`${at}: ${base}/broken answered 503 Service Unavailable`);
    expect(reason('html')).toBe(`${at}: ${base}/html answered with a body that is not JSON`);
    expect(reason('slow')).toBe(`${at}: ${base}/slow timed out after 1s`);
    expect(reason('foreign')).toBe(
      `foreign: url must lie under ${base}/ (the url of source finops): the server calls only endpoints configured for it`,
    );
    expect(s.health()).toMatchObject({ state: 'failing' });
    // Paths that climb out of the source's url are refused, however they are written.
    for (const escape of ['../admin?arm={{arm}}', `${base}/../admin?arm={{arm}}`, '%2e%2e/admin'])
      expect(await s.check({ ...(list[0] as Kpi), url: escape }), escape).toEqual([
        {
          field: 'url',
          message: `url must lie under ${base}/ (the url of source finops): the server calls only endpoints configured for it`,
        },
      ]);
    // The foreign url is refused before a launch, too.
    expect(await s.check(list[3] as Kpi)).toEqual([
      {
        field: 'url',
        message: `url must lie under ${base}/ (the url of source finops): the server calls only endpoints configured for it`,
      },
    ]);
    // A probe before the launch finds the failing endpoint too.
    expect(await s.check(list[0] as Kpi)).toEqual([
      { field: 'url', message: `${at}: ${base}/broken answered 503 Service Unavailable` },
    ]);
  });
});

describe.skipIf(!HAVE_OPENSSL)('http source over TLS', () => {
  let dir: string;
  let tls: { ca: string; cert: string; key: string };
  let secure: HttpsServer;
  let url = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'threshold-http-tls-'));
    tls = makeCertificates(dir);
    secure = createHttpsServer(
      { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
      handle,
    );
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${String((secure.address() as AddressInfo).port)}/api`;
  });

  afterAll(async () => {
    secure.closeAllConnections();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('says a certificate from an untrusted CA is not trusted and names the option that fixes it, then reads with the CA', async () => {
    const list = kpis(
      `    - { name: cost, kind: mean, source: http, url: "cost?arm={{arm}}", select: cost, guard: { max: 1 } }\n`,
    );
    const metrics = createServerMetrics();
    const untrusted = new HttpSource(
      { name: 'http', kind: 'http', url, timeoutMs: 5000 },
      { metrics },
    );
    const reading = await untrusted.read(request(list));
    expect(reading.kpis['cost']).toMatchObject({
      ok: false,
      reason: `http at ${url}/: ${url}/cost: TLS certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate); set THRESHOLD_HTTP_CA_FILE to the CA that signed it`,
    });
    expect(untrusted.health()).toMatchObject({ state: 'failing' });
    expect(await metrics.registry.getSingleMetricAsString('threshold_source_errors_total')).toMatch(
      /threshold_source_errors_total\{source="http",reason="tls"\} 1/,
    );
    // A named source is told its file key.
    const named = new HttpSource({ name: 'finops', kind: 'http', url, timeoutMs: 5000 });
    const again = await named.read(request(list));
    expect(again.kpis['cost']?.ok === false && again.kpis['cost'].reason).toContain(
      '; set ca_file of source finops to the CA that signed it',
    );
    // With the CA that signed it, the same endpoint reads.
    const trusted = new HttpSource({
      name: 'http',
      kind: 'http',
      url,
      timeoutMs: 5000,
      caFile: tls.ca,
    });
    expect((await trusted.read(request(list))).kpis['cost']).toMatchObject({
      ok: true,
      data: { treatment: { units: 100, sum: 25 } },
    });
  });
});
