import { OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import type { EventDetails } from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThresholdProvider } from '@threshold/sdk';
import { doc, flag, TEST_TOKEN, TestServer, waitFor } from './support/test-server.js';

const flags = [
  flag({ key: 'on', traffic: 10_000, launch: 'L-on', phase: 'full' }),
  flag({ key: 'off', state: 'rolled-back' }),
  flag({ key: 'done', state: 'completed' }),
  flag({
    key: 'nl',
    traffic: 10_000,
    audience: [{ attribute: 'country', op: 'eq', values: ['NL'] }],
  }),
];

let server: TestServer;
let provider: ThresholdProvider;

beforeEach(async () => {
  server = await new TestServer(doc('v1', flags)).start();
  provider = new ThresholdProvider({
    url: server.url,
    token: TEST_TOKEN,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    pollIntervalMs: 20,
    events: { batchSize: 1000, flushIntervalMs: 60_000 },
  });
  await OpenFeature.setProviderAndWait(provider);
});

afterEach(async () => {
  await OpenFeature.close();
  await server.stop();
});

describe('ThresholdProvider with @openfeature/server-sdk', () => {
  it('resolves booleans with variant, reason and metadata', async () => {
    const client = OpenFeature.getClient();
    expect(OpenFeature.providerMetadata.name).toBe('threshold');
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue('on', false, { targetingKey: 'u1' })).toBe(true);
    const d = await client.getBooleanDetails('on', false, { targetingKey: 'u1' });
    expect(d).toMatchObject({
      value: true,
      variant: 'treatment',
      reason: 'SPLIT',
      flagMetadata: { launch: 'L-on', phase: 'full', reason: 'SPLIT' },
    });
    // An explicit unit attribute wins over targetingKey.
    const explicit = await client.getBooleanDetails('on', false, {
      targetingKey: 'x',
      userId: 'u1',
    });
    expect(explicit.flagMetadata.bucket).toBe(d.flagMetadata.bucket);
    expect(await client.getBooleanDetails('off', true, { targetingKey: 'u1' })).toMatchObject({
      value: false,
      reason: 'DISABLED',
    });
    expect(await client.getBooleanDetails('done', false, {})).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(
      await client.getBooleanDetails('nl', true, { targetingKey: 'u1', country: 'SE' }),
    ).toMatchObject({ value: false, reason: 'TARGETING_MATCH', variant: 'off' });
  });

  it('reports FLAG_NOT_FOUND, TARGETING_KEY_MISSING and TYPE_MISMATCH with the default', async () => {
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('nope', true, { targetingKey: 'u1' })).toMatchObject({
      value: true,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    expect(await client.getBooleanDetails('on', true, {})).toMatchObject({
      value: true,
      errorCode: 'TARGETING_KEY_MISSING',
    });
    expect(await client.getStringDetails('on', 'x', { targetingKey: 'u1' })).toMatchObject({
      value: 'x',
      errorCode: 'TYPE_MISMATCH',
    });
    expect(await client.getNumberValue('on', 7, { targetingKey: 'u1' })).toBe(7);
    expect(await client.getObjectValue('on', { a: 1 }, { targetingKey: 'u1' })).toEqual({ a: 1 });
  });

  it('emits CONFIGURATION_CHANGED with flagsChanged when the server pushes a config', async () => {
    const changes: EventDetails[] = [];
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (d) => {
      if (d) changes.push(d);
    });
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    server.setConfig(doc('v2', [...flags.slice(1), flag({ key: 'on', traffic: 0 })]));
    await waitFor(() => changes.length === 1, 5000, 'config changed event');
    expect(changes[0]?.flagsChanged).toEqual(['on']);
    const client = OpenFeature.getClient();
    expect(await client.getBooleanValue('on', true, { targetingKey: 'u1' })).toBe(false);
  });

  it('emits STALE when the server goes away and READY when it returns', async () => {
    const seen: string[] = [];
    OpenFeature.addHandler(ProviderEvents.Stale, () => void seen.push('stale'));
    OpenFeature.addHandler(ProviderEvents.Ready, () => void seen.push('ready'));
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    const port = server.port;
    await server.stop();
    await waitFor(() => seen.includes('stale'), 5000, 'stale');
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(await client.getBooleanValue('on', false, { targetingKey: 'u1' })).toBe(true);
    await server.start(port);
    await waitFor(() => seen.at(-1) === 'ready', 5000, 'ready again');
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('emits ERROR for a rejected config, READY after the next good one', async () => {
    const seen: string[] = [];
    OpenFeature.addHandler(ProviderEvents.Error, () => void seen.push('error'));
    OpenFeature.addHandler(ProviderEvents.Ready, () => void seen.push('ready'));
    await waitFor(() => server.streams.size === 1, 5000, 'stream');
    server.setRawConfig('bad', '{"wireVersion":1}');
    await waitFor(() => seen.includes('error'), 5000, 'error');
    expect(OpenFeature.getClient().providerStatus).toBe(ProviderStatus.ERROR);
    server.setConfig(doc('v2', flags));
    await waitFor(() => seen.at(-1) === 'ready', 5000, 'ready');
    expect(OpenFeature.getClient().providerStatus).toBe(ProviderStatus.READY);
  });

  it('track() reaches /v1/events with the unit and value', async () => {
    const client = OpenFeature.getClient();
    await client.getBooleanValue('on', false, { targetingKey: 'u9' });
    client.track('purchase', { targetingKey: 'u9' }, { value: 12.5 });
    await provider.client.flush();
    expect(server.events).toEqual([
      expect.objectContaining({ type: 'exposure', flag: 'on', unit: 'u9', arm: 'treatment' }),
      expect.objectContaining({ type: 'track', unit: 'u9', event: 'purchase', value: 12.5 }),
    ]);
    expect(server.batches[0]?.batch.sdk.name).toBe('@threshold/sdk/openfeature-server');
  });
});

describe('ThresholdProvider without a server', () => {
  it('setProviderAndWait rejects when no config arrives; READY once one does', async () => {
    const s = await new TestServer(doc('v1', flags)).start();
    s.configStatus = 503;
    s.streamStatus = 503;
    const p = new ThresholdProvider({
      url: s.url,
      token: TEST_TOKEN,
      readyTimeoutMs: 50,
      pollIntervalMs: 10,
      reconnectBaseMs: 10,
      reconnectMaxMs: 20,
      events: false,
    });
    await expect(OpenFeature.setProviderAndWait('cold', p)).rejects.toBeDefined();
    const client = OpenFeature.getClient('cold');
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    s.configStatus = 200;
    s.streamStatus = 200;
    await waitFor(() => client.providerStatus === ProviderStatus.READY, 5000, 'ready');
    expect(await client.getBooleanValue('on', false, { targetingKey: 'u1' })).toBe(true);
    await OpenFeature.close();
    await s.stop();
  });
});
