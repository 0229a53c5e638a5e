import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSdk } from './support/bundle-sdk.js';
import { doc, flag, TEST_TOKEN, TestServer, waitFor } from './support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[sdk browser test] SKIPPED: ${CHROMIUM} not found`);

const PAGE = `<!doctype html><meta charset="utf-8"><script src="/sdk.js"></script>
<script>
  window.client = Threshold.createClient({
    url: location.origin,
    token: ${JSON.stringify(TEST_TOKEN)},
    events: { batchSize: 1000, flushIntervalMs: 600000 },
  });
  window.result = window.client.ready().then(() => ({
    on: window.client.isOn('f', { userId: 'b1', country: 'NL' }),
    miss: window.client.evaluate('f', { userId: 'b1', country: 'DE' }).reason,
    status: window.client.status,
  }));
</script>`;

describe.skipIf(!hasChromium)('browser (real Chromium)', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await new TestServer(
      doc('v1', [
        flag({
          key: 'f',
          traffic: 10_000,
          audience: [{ attribute: 'country', op: 'in', values: ['NL', 'SE'] }],
        }),
      ]),
    ).start();
    const bundle = await bundleSdk('iife');
    server.files.set('/sdk.js', { type: 'text/javascript', body: readFileSync(bundle, 'utf8') });
    server.files.set('/', { type: 'text/html', body: PAGE });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    return page;
  }

  it('evaluates locally and streams config in the page', async () => {
    const page = await open();
    const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
    expect(result).toEqual({ on: true, miss: 'AUDIENCE_MISS', status: 'ready' });
    await waitFor(() => server.streams.size >= 1, 5000, 'browser stream');
    server.setConfig(doc('v2', [flag({ key: 'f', state: 'rolled-back' })]));
    await page.waitForFunction(() => {
      const c = (window as unknown as { client: { config?: { version: string } } }).client;
      return c.config?.version === 'v2';
    });
    const after = await page.evaluate(() =>
      (
        window as unknown as { client: { isOn(f: string, c: object, d: boolean): boolean } }
      ).client.isOn('f', { userId: 'b1', country: 'NL' }, true),
    );
    expect(after).toBe(false);
    await page.close();
  });

  it('sends waiting events with sendBeacon when the page is hidden', async () => {
    server.setConfig(doc('v3', [flag({ key: 'f', traffic: 10_000 })]));
    server.batches = [];
    const page = await open();
    await page.evaluate(async () => {
      const w = window as unknown as {
        result: Promise<unknown>;
        client: { track(u: string, e: string, v?: number): void };
      };
      await w.result;
      w.client.track('b2', 'hidden_event', 2);
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor(() => server.events.some((e) => e.unit === 'b2'), 10_000, 'beacon');
    const beacon = server.batches.find((b) => b.batch.events.some((e) => e.unit === 'b2'));
    expect(beacon?.auth).toBe('body');
    expect(beacon?.contentType).toMatch(/^text\/plain/);
    expect(beacon?.batch.token).toBe(TEST_TOKEN);
    await page.close();
  });

  it('sends waiting events with sendBeacon on pagehide (navigation away)', async () => {
    server.batches = [];
    const page = await open();
    await page.evaluate(async () => {
      const w = window as unknown as {
        result: Promise<unknown>;
        client: { track(u: string, e: string): void };
      };
      await w.result;
      w.client.track('b3', 'left_page');
    });
    await page.goto('about:blank');
    await waitFor(() => server.events.some((e) => e.unit === 'b3'), 10_000, 'pagehide beacon');
    expect(server.batches.every((b) => b.auth === 'body')).toBe(true);
    await page.close();
  });
});
