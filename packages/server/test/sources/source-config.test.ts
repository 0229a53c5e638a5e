/** Source configuration from the environment and a sources file: every field, and errors naming the entry. */
import { describe, expect, it } from 'vitest';
import { SourceConfigError, loadSourceConfigs } from '../../src/sources/source-config.js';

const file = (doc: unknown) => () => JSON.stringify(doc);

describe('loadSourceConfigs', () => {
  it('has no sources without configuration', () => {
    expect(loadSourceConfigs({})).toEqual([]);
  });

  it('configures the default prometheus from THRESHOLD_PROMETHEUS_*', () => {
    expect(
      loadSourceConfigs({
        THRESHOLD_PROMETHEUS_URL: 'https://prom:9090/',
        THRESHOLD_PROMETHEUS_BEARER_TOKEN: 'secret',
        THRESHOLD_PROMETHEUS_TIMEOUT: '2s',
        THRESHOLD_PROMETHEUS_CA_FILE: '/etc/ca.pem',
      }),
    ).toEqual([
      {
        name: 'prometheus',
        kind: 'prometheus',
        url: 'https://prom:9090',
        timeoutMs: 2000,
        auth: { type: 'bearer', token: 'secret' },
        caFile: '/etc/ca.pem',
      },
    ]);
    expect(
      loadSourceConfigs({
        THRESHOLD_PROMETHEUS_URL: 'https://prom',
        THRESHOLD_PROMETHEUS_USERNAME: 'u',
        THRESHOLD_PROMETHEUS_PASSWORD: 'p',
      })[0]?.auth,
    ).toEqual({ type: 'basic', username: 'u', password: 'p' });
  });

  it('reads named sources from THRESHOLD_SOURCES_FILE, secrets from the variables it names', () => {
    const configs = loadSourceConfigs(
      { THRESHOLD_SOURCES_FILE: '/x.json', EU_TOKEN: 't0k' },
      file({
        sources: {
          'prometheus-eu': {
            kind: 'prometheus',
            url: 'https://eu.example.com',
            bearer_token_env: 'EU_TOKEN',
            timeout: '500ms',
          },
        },
      }),
    );
    expect(configs).toEqual([
      {
        name: 'prometheus-eu',
        kind: 'prometheus',
        url: 'https://eu.example.com',
        timeoutMs: 500,
        auth: { type: 'bearer', token: 't0k' },
      },
    ]);
  });

  it('refuses a bad entry, naming it and the field', () => {
    const load =
      (doc: unknown, env: Record<string, string> = {}) =>
      () =>
        loadSourceConfigs({ THRESHOLD_SOURCES_FILE: '/x.json', ...env }, file(doc));
    expect(load({ sources: { eu: { kind: 'graphite', url: 'http://x' } } })).toThrow(
      '/x.json: sources.eu.kind: must be one of prometheus, sql',
    );
    expect(load({ sources: { eu: { kind: 'prometheus', url: 'ftp://x' } } })).toThrow(
      'a prometheus source needs a http(s):// url',
    );
    expect(load({ sources: { eu: { kind: 'prometheus', url: 'http://x', tls: 1 } } })).toThrow(
      'sources.eu.tls: unknown field',
    );
    expect(
      load({ sources: { eu: { kind: 'prometheus', url: 'http://x', bearer_token_env: 'NOPE' } } }),
    ).toThrow('environment variable NOPE is not set');
    expect(
      load({ sources: { eu: { kind: 'prometheus', url: 'http://x', timeout: 'soon' } } }),
    ).toThrow(SourceConfigError);
    expect(() => loadSourceConfigs({ THRESHOLD_PROMETHEUS_URL: 'not a url' })).toThrow(
      'THRESHOLD_PROMETHEUS_URL: url is not a URL',
    );
  });

  it('refuses auth and CA options that would be ignored or guessed at', () => {
    const load =
      (entry: Record<string, unknown>, env: Record<string, string> = {}) =>
      () =>
        loadSourceConfigs(
          { THRESHOLD_SOURCES_FILE: '/x.json', T: 't', P: 'p', ...env },
          file({ sources: { eu: { kind: 'prometheus', url: 'https://x', ...entry } } }),
        );
    expect(load({ bearer_token_env: 'T', username: 'u', password_env: 'P' })).toThrow(
      '/x.json: sources.eu: bearer_token_env and username are both set',
    );
    expect(load({ password_env: 'P' })).toThrow('sources.eu.password_env: set without username');
    expect(load({ url: 'http://x', ca_file: '/ca.pem' })).toThrow(
      'sources.eu.ca_file: a CA file needs an https:// url, got http://x',
    );
    expect(load({ ca_file: 3 })).toThrow('sources.eu.ca_file: must be the path of a PEM file');
    expect(load({ url: 'https://u:secret@x' })).toThrow(
      'sources.eu.url: credentials in the url are not allowed',
    );
    const env = (vars: Record<string, string>) => () =>
      loadSourceConfigs({ THRESHOLD_PROMETHEUS_URL: 'https://prom', ...vars });
    expect(
      env({ THRESHOLD_PROMETHEUS_BEARER_TOKEN: 't', THRESHOLD_PROMETHEUS_USERNAME: 'u' }),
    ).toThrow('THRESHOLD_PROMETHEUS_BEARER_TOKEN and THRESHOLD_PROMETHEUS_USERNAME are both set');
    expect(env({ THRESHOLD_PROMETHEUS_PASSWORD: 'p' })).toThrow(
      'THRESHOLD_PROMETHEUS_PASSWORD is set without THRESHOLD_PROMETHEUS_USERNAME',
    );
    expect(() =>
      loadSourceConfigs({
        THRESHOLD_PROMETHEUS_URL: 'http://prom',
        THRESHOLD_PROMETHEUS_CA_FILE: '/ca.pem',
      }),
    ).toThrow('THRESHOLD_PROMETHEUS_CA_FILE: a CA file needs an https:// url');
  });
});
