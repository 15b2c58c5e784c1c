/**
 * Clock port. The pure model never reads the time; the CLI injects `systemClock`, tests a
 * `fixedClock` or `steppingClock`.
 */
import { instantFromEpochMs } from '../time.js';
import type { Instant } from '../time.js';

export interface Clock {
  now(): Instant;
}

export const systemClock: Clock = { now: () => instantFromEpochMs(Date.now()) };

export function fixedClock(instant: Instant): Clock {
  return { now: () => instant };
}

/** Starts at `start` and advances `stepMs` on every read: distinct, increasing instants. */
export function steppingClock(start: Instant, stepMs = 1000): Clock {
  let next = Date.parse(start);
  return {
    now: () => {
      const instant = instantFromEpochMs(next);
      next += stepMs;
      return instant;
    },
  };
}
