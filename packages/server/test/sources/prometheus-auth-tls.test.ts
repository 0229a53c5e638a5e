/**
 * The Prometheus source's per-source options against servers that demand them:
 * a real Prometheus behind `--web.config.file` (TLS with a CA made at test time,
 * basic auth with a bcrypt hash), and a small real HTTPS reverse proxy in front
 * of it that demands a bearer token (Prometheus itself has no bearer auth) and
 * can stall to show the timeout. Sources are configured the way `threshold
 * serve` configures them (environment variables and THRESHOLD_SOURCES_FILE,
 * through loadSourceConfigs and openSources), so this is the path a launch reads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlan } from '@threshold/core';
import type { Kpi } from '@threshold/core';
import bcrypt from 'bcryptjs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  MetricSource,
  SourceConfig,
  SourceReadRequest,
} from '../../src/sources/metric-source.js';
import { HttpSource } from '../../src/sources/http-source.js';
import { prometheusSource } from '../../src/sources/prometheus-source.js';
import { loadSourceConfigs, SourceConfigError } from '../../src/sources/source-config.js';
import { openSources } from '../../src/sources/source-registry.js';
import type { SourceRegistry } from '../../src/sources/source-registry.js';
import { createServerMetrics } from '../../src/metrics/server-metrics.js';
import { startServer } from '../../src/start-server.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import {
  HAVE_PROMETHEUS,
  startPrometheus,
  startTestService,
  waitForScrapes,
} from './prometheus-harness.js';
import type { TestPrometheus, TestService } from './prometheus-harness.js';
import { HAVE_OPENSSL, makeCertificates } from './tls-certificates.js';

const USER = 'threshold';
const PASSWORD = 'correct horse battery staple';
const TOKEN = 'bearer-token-for-tests';

const PLAN = `
launch: auth
owner: tests
phases: [{ name: canary, traffic: 1% }, { name: full, traffic: 100% }]
kpis:
  operational-health:
    - name: error_ratio
      kind: ratio
      source: prometheus
      step: 2s
      numerator: sum(increase(ledger_requests_total{arm="{{arm}}",code="500"}[{{interval}}]))
      denominator: sum(increase(ledger_requests_total{arm="{{arm}}"}[{{interval}}]))
      guard: { max_increase_abs: 0.01 }
`;

function errorRatioKpi(): Kpi {
  const r = parsePlan(PLAN);
  if (!r.valid) throw new Error(JSON.stringify(r.errors));
  const kpi = r.plan.kpis['operational-health']?.[0];
  if (kpi === undefined) throw new Error('no kpi');
  return kpi;
}

/**
 * An HTTPS reverse proxy that demands `Bearer TOKEN`, then forwards to
 * Prometheus with the basic credentials (an auth gateway, as in front of Mimir).
 * `stallMs` holds every request that long first, to show the source's timeout.
 */
interface BearerProxy {
  url: string;
  seen: (string | undefined)[];
  stallMs: number;
  close(): Promise<void>;
}

async function startBearerProxy(
  upstream: string,
  tls: { cert: string; key: string; ca: string },
): Promise<BearerProxy> {
  const upstreamUrl = new URL(upstream);
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const caPem = readFileSync(tls.ca);
  const state: BearerProxy = { url: '', seen: [], stallMs: 0, close: async () => {} };
  const stalled = new Set<ServerResponse>();
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers, authorization: basic, host: upstreamUrl.host };
    const up = httpsRequest(
      new URL(req.url ?? '/', upstreamUrl),
      { method: req.method, headers, ca: caPem },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  };
  const server: Server = createHttpsServer(
    { cert: readFileSync(tls.cert), key: readFileSync(tls.key) },
    (req, res) => {
      state.seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'www-authenticate': 'Bearer' });
        res.end('unauthorized\n');
        return;
      }
      if (state.stallMs > 0) {
        stalled.add(res);
        const timer = setTimeout(() => {
          stalled.delete(res);
          forward(req, res);
        }, state.stallMs);
        res.on('close', () => {
          clearTimeout(timer);
          stalled.delete(res);
        });
        return;
      }
      forward(req, res);
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  state.url = `https://127.0.0.1:${port}`;
  state.close = async () => {
    for (const res of stalled) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

const ready = HAVE_PROMETHEUS && HAVE_OPENSSL;

(ready ? describe : describe.skip)(
  `prometheus source options against a server that demands them${ready ? '' : ' (SKIPPED: needs prometheus and openssl)'}`,
  () => {
    let dir = '';
    let service: TestService | undefined;
    let prom: TestPrometheus | undefined;
    let proxy: BearerProxy | undefined;
    let store: Store | undefined;
    let registry: SourceRegistry | undefined;
    let files: { ca: string; cert: string; key: string };
    let started = 0;
    const metrics = createServerMetrics();
    const kpi = errorRatioKpi();

    const request = (): SourceReadRequest => ({
      launchId: 'L1',
      launch: 'auth',
      phase: 'canary',
      phaseStartedAt: started,
      nowMs: Date.now() - 1000,
      kpis: [kpi],
    });
    const source = (name: string): MetricSource => {
      const s = registry?.sources.get(name);
      if (s === undefined) throw new Error(`source ${name} is not open`);
      return s;
    };
    const readOne = async (name: string) => {
      const reading = await source(name).read(request());
      const r = reading.kpis[kpi.name];
      if (r === undefined) throw new Error('no reading');
      return r;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'threshold-prom-tls-'));
      files = makeCertificates(dir);
      const hash = bcrypt.hashSync(PASSWORD, 8);
      service = await startTestService({
        treatment: { rps: 200, errorRate: 0.02, latency: 0.1 },
        control: { rps: 200, errorRate: 0.01, latency: 0.05 },
      });
      started = Date.now();
      const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      const ca = readFileSync(files.ca, 'utf8');
      prom = await startPrometheus(service.port, {
        https: true,
        ca,
        authorization,
        config: [
          'tls_server_config:',
          `  cert_file: ${files.cert}`,
          `  key_file: ${files.key}`,
          'basic_auth_users:',
          `  ${USER}: '${hash}'`,
          '',
        ].join('\n'),
      });
      await waitForScrapes(prom.url, 6, { ca, authorization });
      proxy = await startBearerProxy(prom.url, files);

      // Configured as `threshold serve` is: the default source from the environment,
      // named ones from THRESHOLD_SOURCES_FILE with their secrets in the environment.
      const sourcesFile = join(dir, 'sources.json');
      writeFileSync(
        sourcesFile,
        JSON.stringify({
          sources: {
            'wrong-password': {
              kind: 'prometheus',
              url: prom.url,
              username: USER,
              password_env: 'TEST_WRONG_PASSWORD',
              ca_file: files.ca,
            },
            'no-ca': {
              kind: 'prometheus',
              url: prom.url,
              username: USER,
              password_env: 'TEST_PROM_PASSWORD',
            },
            gateway: {
              kind: 'prometheus',
              url: proxy.url,
              bearer_token_env: 'TEST_GATEWAY_TOKEN',
              ca_file: files.ca,
              timeout: '5s',
            },
            'gateway-wrong-token': {
              kind: 'prometheus',
              url: proxy.url,
              bearer_token_env: 'TEST_WRONG_TOKEN',
              ca_file: files.ca,
            },
            'gateway-slow': {
              kind: 'prometheus',
              url: proxy.url,
              bearer_token_env: 'TEST_GATEWAY_TOKEN',
              ca_file: files.ca,
              timeout: '300ms',
            },
          },
        }),
      );
      const configs = loadSourceConfigs({
        THRESHOLD_PROMETHEUS_URL: prom.url,
        THRESHOLD_PROMETHEUS_USERNAME: USER,
        THRESHOLD_PROMETHEUS_PASSWORD: PASSWORD,
        THRESHOLD_PROMETHEUS_CA_FILE: files.ca,
        THRESHOLD_SOURCES_FILE: sourcesFile,
        TEST_PROM_PASSWORD: PASSWORD,
        TEST_WRONG_PASSWORD: 'not the password',
        TEST_GATEWAY_TOKEN: TOKEN,
        TEST_WRONG_TOKEN: 'not-the-token',
      });
      store = await openStore({ dataDir: dir, migrate: true });
      registry = openSources(configs, { store, metrics });
    }, 90_000);

    afterAll(async () => {
      await registry?.close();
      await store?.close();
      await proxy?.close();
      await prom?.close();
      await service?.close();
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('reads a KPI over TLS with the private CA and the right basic auth', async () => {
      const r = await readOne('prometheus');
      if (!r.ok) throw new Error(r.reason);
      expect(r.basis).toBe('per-interval');
      expect(r.data.treatment).toBeDefined();
      expect(r.data.control).toBeDefined();
      expect(source('prometheus').health()).toMatchObject({ state: 'ok' });
      // The plan check (validate, launch start) goes through the same credentials.
      const plan = parsePlan(PLAN);
      if (!plan.valid) throw new Error('plan');
      expect(await registry?.checkPlan(plan.plan)).toEqual([]);
    });

    it('a wrong password is insufficient evidence naming the source and the 401, never a throw', async () => {
      const r = await readOne('wrong-password');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toBe(
        `prometheus source wrong-password at ${prom?.url} refused the credentials (HTTP 401)`,
      );
      expect(source('wrong-password').health()).toMatchObject({ state: 'failing' });
    });

    it('without the CA, the TLS failure is the reason, in words', async () => {
      const r = await readOne('no-ca');
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.reason).toMatch(
        new RegExp(
          `^prometheus source no-ca at ${prom?.url}: TLS certificate not trusted \\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\\); set ca_file of source no-ca to the CA that signed it$`,
        ),
      );
      expect(source('no-ca').health()).toMatchObject({ state: 'failing', lastError: r.reason });
      // /metrics counts it as a TLS error, not as an unreachable engine.
      const errors = await metrics.registry.getSingleMetricAsString(
        'threshold_source_errors_total',
      );
      expect(errors).toMatch(/threshold_source_errors_total\{source="no-ca",reason="tls"\} [1-9]/);
      expect(errors).toMatch(/\{source="wrong-password",reason="auth"\} [1-9]/);
    });

    it('sends the bearer token; a wrong token is a 401 reason', async () => {
      if (proxy === undefined) throw new Error('proxy');
      proxy.seen.length = 0;
      const r = await readOne('gateway');
      if (!r.ok) throw new Error(r.reason);
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(new Set(proxy.seen)).toEqual(new Set([`Bearer ${TOKEN}`]));

      const bad = await readOne('gateway-wrong-token');
      expect(bad).toMatchObject({
        ok: false,
        reason: `prometheus source gateway-wrong-token at ${proxy.url} refused the credentials (HTTP 401)`,
      });
    });

    it('a source slower than its timeout option is "timed out after …"', async () => {
      if (proxy === undefined) throw new Error('proxy');
      proxy.stallMs = 3000;
      try {
        const r = await readOne('gateway-slow');
        expect(r).toMatchObject({
          ok: false,
          reason: `prometheus source gateway-slow at ${proxy.url} timed out after 300ms`,
        });
      } finally {
        proxy.stallMs = 0;
      }
    });
  },
);

describe('prometheus source options that cannot work', () => {
  it('a CA file that cannot be read, or is not PEM, stops the start naming the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-prom-ca-'));
    try {
      const notPem = join(dir, 'not.pem');
      writeFileSync(notPem, 'hello\n');
      const open = (env: Record<string, string>) => () =>
        prometheusSource(
          loadSourceConfigs({
            THRESHOLD_PROMETHEUS_URL: 'https://127.0.0.1:1',
            ...env,
          })[0] as SourceConfig,
        );
      expect(open({ THRESHOLD_PROMETHEUS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
        new SourceConfigError(
          `THRESHOLD_PROMETHEUS_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
        ),
      );
      expect(open({ THRESHOLD_PROMETHEUS_CA_FILE: notPem })).toThrow(
        `THRESHOLD_PROMETHEUS_CA_FILE: ${notPem} holds no PEM certificate`,
      );
      const named = loadSourceConfigs({ THRESHOLD_SOURCES_FILE: '/x.json' }, () =>
        JSON.stringify({
          sources: { eu: { kind: 'prometheus', url: 'https://x', ca_file: notPem } },
        }),
      );
      expect(() => prometheusSource(named[0] as SourceConfig)).toThrow(
        `ca_file of source eu: ${notPem} holds no PEM certificate`,
      );
      // The http and sql sources read their CA the same way.
      const http = { name: 'http', kind: 'http', url: 'https://x', timeoutMs: 1000 } as const;
      expect(() => new HttpSource({ ...http, caFile: notPem })).toThrow(
        `THRESHOLD_HTTP_CA_FILE: ${notPem} holds no PEM certificate`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('threshold serve with an unreadable CA file does not start, and says which option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'threshold-prom-ca-'));
    try {
      const missing = join(dir, 'missing.pem');
      const sources = loadSourceConfigs({
        THRESHOLD_PROMETHEUS_URL: 'https://127.0.0.1:1',
        THRESHOLD_PROMETHEUS_CA_FILE: missing,
      });
      await expect(
        startServer({
          port: 0,
          host: '127.0.0.1',
          dataDir: dir,
          sources,
          logger: pino({ level: 'silent' }),
        }),
      ).rejects.toThrow(`THRESHOLD_PROMETHEUS_CA_FILE: cannot read ${missing} (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
