/** Router configuration: the routers file and the environment, every bad entry refused by name. */
import { describe, expect, it } from 'vitest';
import { RouterConfigError, loadRouterConfigs } from '../../src/routers/router-config.js';

const file = (doc: unknown) => () => JSON.stringify(doc);

describe('router configuration', () => {
  it('reads named routers from THRESHOLD_ROUTERS_FILE and the two shortcuts from the environment', () => {
    const configs = loadRouterConfigs(
      {
        THRESHOLD_ROUTERS_FILE: '/etc/threshold/routers.json',
        THRESHOLD_HAPROXY_ADDRESS: '/run/haproxy/admin.sock',
        THRESHOLD_WEBHOOK_ROUTER_URL: 'https://mesh.example.com/weights',
        THRESHOLD_WEBHOOK_SECRET: 'notify-secret',
        MESH_SECRET: 'mesh-secret',
      },
      file({
        routers: {
          edge: { kind: 'haproxy', address: 'tcp://10.0.0.5:9999', timeout: '500ms' },
          mesh: {
            kind: 'webhook',
            url: 'https://mesh/hook',
            secret_env: 'MESH_SECRET',
            resync: '30s',
          },
        },
      }),
    );
    expect(configs).toEqual([
      { name: 'edge', kind: 'haproxy', address: 'tcp://10.0.0.5:9999', timeoutMs: 500 },
      {
        name: 'mesh',
        kind: 'webhook',
        url: 'https://mesh/hook',
        secret: 'mesh-secret',
        timeoutMs: 2000,
        resyncMs: 30_000,
      },
      { name: 'haproxy', kind: 'haproxy', address: '/run/haproxy/admin.sock', timeoutMs: 2000 },
      {
        name: 'webhook',
        kind: 'webhook',
        url: 'https://mesh.example.com/weights',
        secret: 'notify-secret',
        timeoutMs: 2000,
        resyncMs: 60_000,
      },
    ]);
    expect(loadRouterConfigs({})).toEqual([]);
  });

  it.each([
    [
      { routers: { edge: { kind: 'nginx', address: '/x' } } },
      'f.json: routers.edge.kind: must be one of haproxy, webhook',
    ],
    [
      { routers: { edge: { kind: 'haproxy' } } },
      'f.json: routers.edge.address: required (the Runtime API socket)',
    ],
    [
      { routers: { edge: { kind: 'haproxy', address: 'localhost:9999' } } },
      'f.json: routers.edge.address: expected unix:///path/to/admin.sock, /path/to/admin.sock or tcp://host:port, got "localhost:9999"',
    ],
    [
      { routers: { edge: { kind: 'haproxy', address: '/x', url: 'http://x' } } },
      'f.json: routers.edge.url: unknown field for a haproxy router (known: kind, address, timeout)',
    ],
    [
      { routers: { mesh: { kind: 'webhook', url: 'https://x' } } },
      'f.json: routers.mesh: a webhook router signs every request, and THRESHOLD_WEBHOOK_SECRET is not set (or name another variable with secret_env)',
    ],
    [
      { routers: { mesh: { kind: 'webhook', url: 'https://x', secret_env: 'NOPE' } } },
      'f.json: routers.mesh: a webhook router signs every request, and NOPE is not set',
    ],
    [
      { routers: { mesh: { kind: 'webhook', url: 'ftp://x', secret_env: 'NOPE' } } },
      'f.json: routers.mesh.url: a webhook router needs an http(s):// url, got ftp:',
    ],
    [
      { routers: { Edge: { kind: 'haproxy', address: '/x' } } },
      'f.json: routers.Edge: a router name must be a lowercase identifier',
    ],
    [{ routes: {} }, 'f.json: expected { "routers": { "<name>": { … } } }'],
  ])('refuses %j', (doc, message) => {
    expect(() => loadRouterConfigs({ THRESHOLD_ROUTERS_FILE: 'f.json' }, file(doc))).toThrow(
      new RouterConfigError(message),
    );
  });

  it('refuses a webhook shortcut without a secret, and an unreadable file, naming the variable', () => {
    expect(() => loadRouterConfigs({ THRESHOLD_WEBHOOK_ROUTER_URL: 'https://x' })).toThrow(
      /THRESHOLD_WEBHOOK_ROUTER_URL: a webhook router signs every request, and THRESHOLD_WEBHOOK_SECRET is not set/,
    );
    expect(() =>
      loadRouterConfigs({ THRESHOLD_ROUTERS_FILE: '/nope.json' }, () => {
        throw new Error('ENOENT: no such file');
      }),
    ).toThrow('THRESHOLD_ROUTERS_FILE /nope.json: ENOENT: no such file');
  });
});
