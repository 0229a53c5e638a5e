/** Configuring sql and http sources from the environment and the sources file. */
import { describe, expect, it } from 'vitest';
import { SourceConfigError, loadSourceConfigs } from '../../src/sources/source-config.js';

describe('sql and http source configuration', () => {
  it('reads THRESHOLD_SQL_* and THRESHOLD_HTTP_* into the sources named sql and http', () => {
    const configs = loadSourceConfigs({
      THRESHOLD_SQL_URL: 'postgres://reader@warehouse:5432/analytics',
      THRESHOLD_SQL_USERNAME: 'reader',
      THRESHOLD_SQL_PASSWORD: 'pw',
      THRESHOLD_SQL_TIMEOUT: '10s',
      THRESHOLD_HTTP_URL: 'https://finops.example.com/api/',
      THRESHOLD_HTTP_BEARER_TOKEN: 't0k',
    });
    expect(configs).toEqual([
      {
        name: 'sql',
        kind: 'sql',
        url: 'postgres://reader@warehouse:5432/analytics',
        timeoutMs: 10_000,
        auth: { type: 'basic', username: 'reader', password: 'pw' },
      },
      {
        name: 'http',
        kind: 'http',
        url: 'https://finops.example.com/api',
        timeoutMs: 5000,
        auth: { type: 'bearer', token: 't0k' },
      },
    ]);
  });

  it('takes named sql and http sources from the sources file', () => {
    const file = JSON.stringify({
      sources: {
        warehouse: { kind: 'sql', url: 'postgresql://w/db', username: 'r', password_env: 'W_PW' },
        finops: { kind: 'http', url: 'https://finops.example.com/api', timeout: '2s' },
      },
    });
    const configs = loadSourceConfigs(
      { THRESHOLD_SOURCES_FILE: 'sources.json', W_PW: 'secret' },
      () => file,
    );
    expect(configs.map((c) => [c.name, c.kind, c.timeoutMs, c.auth?.type])).toEqual([
      ['warehouse', 'sql', 5000, 'basic'],
      ['finops', 'http', 2000, undefined],
    ]);
  });

  it('refuses a sql url that is not PostgreSQL and a bearer token for sql', () => {
    expect(() => loadSourceConfigs({ THRESHOLD_SQL_URL: 'mysql://db/x' })).toThrow(
      new SourceConfigError('THRESHOLD_SQL_URL: a sql source needs a postgres:// url, got mysql:'),
    );
    expect(() =>
      loadSourceConfigs({ THRESHOLD_SQL_URL: 'postgres://db/x', THRESHOLD_SQL_BEARER_TOKEN: 't' }),
    ).toThrow('source sql: a sql source takes a username and password, not a bearer token');
  });
});
