import type { Clock } from './domain.js';

/** The production clock. Tests inject their own Clock instead. */
export const systemClock: Clock = { now: () => Date.now() };
