import { OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/web-sdk';
import type { EventDetails } from '@openfeature/web-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThresholdWebProvider } from '@threshold/sdk';
import { doc, flag, TEST_TOKEN, TestServer, waitFor } from './support/test-server.js';

const flags = [
  flag({
    key: 'on',
    traffic: 10_000,
    audience: [{ attribute: 'country', op: 'in', values: ['NL'] }],
  }),
  flag({ key: 'half', traffic: 5000 }),
];

let server: TestServer;
let provider: ThresholdWebProvider;

beforeEach(async () => {
  server = await new TestServer(doc('v1', flags)).start();
  provider = new ThresholdWebProvider({
    url: server.url,
    token: TEST_TOKEN,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    events: { batchSize: 1000, flushIntervalMs: 60_000 },
  });
  await OpenFeature.setContext({ targetingKey: 'w1', country: 'NL' });
  await OpenFeature.setProviderAndWait(provider);
});

afterEach(async () => {
  await OpenFeature.close();
  await server.stop();
});

describe('ThresholdWebProvider with @openfeature/web-sdk', () => {
  it('resolves synchronously against the static context', async () => {
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(client.getBooleanValue('on', false)).toBe(true);
    const d = client.getBooleanDetails('half', false);
    expect(d.reason).toBe('SPLIT');
    expect(['treatment', 'control']).toContain(d.variant);
    expect(d.value).toBe(d.variant === 'treatment');
    await OpenFeature.setContext({ targetingKey: 'w1', country: 'SE' });
    expect(client.getBooleanDetails('on', true)).toMatchObject({
      value: false,
      reason: 'TARGETING_MATCH',
    });
    expect(client.getBooleanDetails('missing', true)).toMatchObject({
      value: true,
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(client.getStringDetails('on', 'd')).toMatchObject({
      value: 'd',
      errorCode: 'TYPE_MISMATCH',
    });
    await OpenFeature.setContext({ country: 'NL' });
    expect(client.getBooleanDetails('on', true)).toMatchObject({
      value: true,
      errorCode: 'TARGETING_KEY_MISSING',
    });
  });

  it('emits CONFIGURATION_CHANGED and STALE, then READY again', async () => {
    const seen: string[] = [];
    const changes: EventDetails[] = [];
    const client = OpenFeature.getClient();
    client.addHandler(ProviderEvents.ConfigurationChanged, (d) => {
      if (d) changes.push(d);
    });
    client.addHandler(ProviderEvents.Stale, () => void seen.push('stale'));
    client.addHandler(ProviderEvents.Ready, () => void seen.push('ready'));
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    server.setConfig(doc('v2', [flags[1]!, flag({ key: 'new' })]));
    await waitFor(() => changes.length === 1, 5000, 'change');
    expect([...((changes[0]?.flagsChanged as string[] | undefined) ?? [])].sort()).toEqual([
      'new',
      'on',
    ]);
    expect(client.getBooleanValue('on', true)).toBe(true); // removed now: default

    const port = server.port;
    await server.stop();
    await waitFor(() => seen.includes('stale'), 5000, 'stale');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    await server.start(port);
    await waitFor(() => seen.at(-1) === 'ready', 5000, 'ready');
  });

  it('track() reaches /v1/events', async () => {
    const client = OpenFeature.getClient();
    client.track('click', { value: 3 });
    await provider.client.flush();
    expect(server.events).toEqual([
      expect.objectContaining({ type: 'track', unit: 'w1', event: 'click', value: 3 }),
    ]);
  });
});
