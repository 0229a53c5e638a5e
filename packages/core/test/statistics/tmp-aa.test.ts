import { it } from 'vitest';
import { falseBreaches } from './support/aa-launch.js';
it('before', () => {
  const base = { traffic: 0.01, control: 'rest' as const, lookMinutes: 5, hours: 24, unitsPerHour: 100_000 / 24 * 1.2 };
  const cases: [string, object, number][] = [
    ['dec 3.1% 1% 5min', { base: 0.031, guard: 'max_decrease: 0%' }, 400],
    ['dec 0.34% 1% 5min', { base: 0.0034, guard: 'max_decrease: 0%' }, 400],
    ['dec 0.34% holdout', { base: 0.0034, guard: 'max_decrease: 0%', control: 'holdout' }, 400],
    ['inc 0.34%', { base: 0.0034, guard: 'max_increase: 0%' }, 400],
  ];
  for (const [name, o, runs] of cases) {
    const t0 = Date.now();
    const r = falseBreaches({ ...base, ...(o as object) } as never, runs, 7);
    console.log(name, r, Date.now() - t0, 'ms');
  }
});
