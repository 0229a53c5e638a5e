/**
 * Searches of running counts (RunningCounts, a simulation model's histogram) for the
 * bucket holding a rank: bisection from a start, which only saves probes, and the
 * counts each search read beside its answer, so a reader need not read them again.
 */
import type { RunningCounts } from './kpi-aggregate.js';

// The running counts the last search read next to its answer (upTo(answer) and
// upTo(answer − 1)), so a reader need not compute them again: upTo is a pure
// function of the counts, and a value is only taken from the same counts at the
// same index.
let probedCounts: RunningCounts | null = null;
let probedIndex = NaN;
let probedAbove = NaN;
let probedBelow = NaN;

export function probedUpTo(running: RunningCounts, index: number): number {
  if (running === probedCounts) {
    if (index === probedIndex && !Number.isNaN(probedAbove)) return probedAbove;
    if (index === probedIndex - 1 && !Number.isNaN(probedBelow)) return probedBelow;
  }
  return running.upTo(index);
}

/**
 * The lowest bucket index whose running count exceeds `count` (below the positive
 * total): from `start` (when inside the counts' range; else the counts' own guess,
 * `near`) outward by doubling steps, then by bisection. The start only saves
 * probes; the answer is the same without it.
 */
export function runningIndexAbove(running: RunningCounts, count: number, start = NaN): number {
  return searchAbove(running, count, start, NaN);
}

/**
 * runningIndexAbove with `atStart`, the running count at `start` when the caller has
 * just read it from these same counts (NaN: not known, read here).
 */
export function searchAbove(
  running: RunningCounts,
  count: number,
  start: number,
  atStart: number,
): number {
  let lo = running.lowest; // the answer is at least lo
  let hi = running.highest; // and at most hi, whose running count is the total
  // Counts read at lo − 1 and hi, when read (NaN: not read).
  let atLoBelow = NaN;
  let atHi = NaN;
  const guess = start > lo && start < hi ? start : (running.near?.(count) ?? NaN);
  if (guess > lo && guess < hi && Number.isInteger(guess)) {
    const atGuess = guess === start && !Number.isNaN(atStart) ? atStart : running.upTo(guess);
    if (atGuess > count) {
      hi = guess;
      atHi = atGuess;
      for (let step = 1; guess - step > lo; step *= 2) {
        const probe = running.upTo(guess - step);
        if (probe <= count) {
          lo = guess - step + 1;
          atLoBelow = probe;
          break;
        }
        hi = guess - step;
        atHi = probe;
      }
    } else {
      lo = guess + 1;
      atLoBelow = atGuess;
      for (let step = 1; guess + step < hi; step *= 2) {
        const probe = running.upTo(guess + step);
        if (probe > count) {
          hi = guess + step;
          atHi = probe;
          break;
        }
        lo = guess + step + 1;
        atLoBelow = probe;
      }
    }
  }
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const probe = running.upTo(mid);
    if (probe > count) {
      hi = mid;
      atHi = probe;
    } else {
      lo = mid + 1;
      atLoBelow = probe;
    }
  }
  probedCounts = running;
  probedIndex = lo;
  probedAbove = atHi;
  probedBelow = atLoBelow;
  return lo;
}
