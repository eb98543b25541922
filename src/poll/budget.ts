// How many Gets a sweep may spend on first sight and metric backfill beyond what it must do.

/**
 * The spare budget: what the adaptive rate leaves of ~80% of one interval once `usedCalls`
 * (the List pages and the Gets that must happen) are paid for, so the backfill never pushes a
 * sweep past the next tick. At least 10, so a slow rate still makes progress.
 */
export function spareDetailBudget(ratePerSecond: number, intervalMs: number, usedCalls: number): number {
  return Math.max(10, Math.floor(ratePerSecond * (intervalMs / 1000) * 0.8) - usedCalls);
}
