/** Simulated users through a real SDK client, and waiting on the API for a launch to get somewhere. */
import type { ThresholdClient } from '@threshold/sdk';

/** Evaluates `count` users once each and lets `behave` track what each did. */
export function driveUsers(
  client: ThresholdClient,
  flag: string,
  users: { prefix: string; count: number },
  behave: (unit: string, treatment: boolean, i: number) => void,
): { treatment: number; control: number } {
  const seen = { treatment: 0, control: 0 };
  for (let i = 0; i < users.count; i++) {
    const unit = `${users.prefix}-${i}`;
    const detail = client.evaluate(flag, { userId: unit });
    if (detail.arm !== 'treatment' && detail.arm !== 'control') continue;
    seen[detail.arm]++;
    behave(unit, detail.arm === 'treatment', i);
  }
  return seen;
}

/** Resolves when `predicate` holds for the client's config. */
export function whenConfig(
  client: ThresholdClient,
  predicate: (c: ThresholdClient) => boolean,
): Promise<void> {
  if (predicate(client)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('change', () => {
      if (!predicate(client)) return;
      off();
      resolve();
    });
  });
}

/** Polls `read` until `done` holds; throws after `tries` (waiting, never asserting on time). */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  tries = 240,
  everyMs = 250,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < tries; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}
