import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleSdk } from './support/bundle-sdk.js';
import { doc, flag, TEST_TOKEN, TestServer } from './support/test-server.js';

let server: TestServer;
let bundle: string;

beforeAll(async () => {
  server = await new TestServer(doc('v1', [flag({ key: 'f', traffic: 10_000 })])).start();
  bundle = await bundleSdk('esm');
});
afterAll(async () => {
  await server.stop();
});

function runNode(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => {
      child.kill();
      reject(new Error('child did not exit: something keeps the process alive'));
    }, 15_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr });
    });
  });
}

describe('Node process lifecycle', () => {
  it('flushes waiting events on beforeExit, and timers do not keep the process alive', async () => {
    const script = join(dirname(bundle), 'exit.mjs');
    writeFileSync(
      script,
      `import { createClient } from './sdk.mjs';
const c = createClient({
  url: ${JSON.stringify(server.url)}, token: ${JSON.stringify(TEST_TOKEN)},
  stream: false, pollIntervalMs: 60000,
  events: { batchSize: 1000, flushIntervalMs: 60000 },
});
await c.ready();
if (!c.isOn('f', { userId: 'child-1' })) process.exit(3);
c.track('child-1', 'exit_event', 7);
// No flush(), no close(): the process simply runs out of work.
`,
    );
    const { code, stderr } = await runNode(script);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.events).toEqual([
      expect.objectContaining({ type: 'exposure', unit: 'child-1', arm: 'treatment' }),
      expect.objectContaining({ type: 'track', unit: 'child-1', event: 'exit_event', value: 7 }),
    ]);
  });
});

describe('many clients in one process', () => {
  it('share one beforeExit listener and release it on close', async () => {
    const { createClient } = await import('@threshold/sdk');
    const before = process.listenerCount('beforeExit');
    const clients = Array.from({ length: 30 }, () =>
      createClient({ url: server.url, token: TEST_TOKEN, stream: false, pollIntervalMs: 60_000 }),
    );
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await Promise.all(clients.map((c) => c.close()));
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('close() right after createClient settles promptly and rejects ready()', async () => {
    const { createClient } = await import('@threshold/sdk');
    const c = createClient({ url: server.url, token: TEST_TOKEN });
    await c.close();
    await expect(c.ready()).rejects.toThrow(/closed/);
    expect(c.status).toBe('closed');
  });
});
