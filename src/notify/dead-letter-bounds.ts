// Pure: which dead letters to drop so that each target keeps at most `maxCount` of them, none
// older than `maxAgeMs` (since it was dead-lettered). Oldest first: the ones an operator has had
// the longest to re-send. Dead letters wait for a person (`outbox retry`); the bounds keep a
// receiver gone for good from growing the state without end.
import type { DeadLetter } from '../state/types.js';

/** A target's bounds (config `notifications.targets[].deadLetters`). */
export interface DeadLetterBounds {
  maxCount: number;
  maxAgeMs: number;
}

export type EvictionReason = 'max_age' | 'max_count';

export interface Eviction {
  entry: DeadLetter;
  reason: EvictionReason;
}

export interface EvictionPlan {
  evict: Eviction[];
  /** When the next dead letter ages out (Infinity: none left). */
  nextAt: number;
}

export function deadLettersOverBounds(
  dead: readonly DeadLetter[],
  boundsOf: (target: string) => DeadLetterBounds,
  now: number,
): EvictionPlan {
  const byTarget = new Map<string, DeadLetter[]>();
  for (const d of dead) {
    const list = byTarget.get(d.target);
    if (list) list.push(d);
    else byTarget.set(d.target, [d]);
  }
  const evict: Eviction[] = [];
  let nextAt = Infinity;
  for (const [target, list] of byTarget) {
    const { maxCount, maxAgeMs } = boundsOf(target);
    // Stable: among equal deadAt, the order of the store (the order they were dead-lettered).
    list.sort((a, b) => a.deadAt - b.deadAt);
    let i = 0;
    for (; i < list.length && list[i]!.deadAt + maxAgeMs <= now; i++) evict.push({ entry: list[i]!, reason: 'max_age' });
    for (; list.length - i > maxCount; i++) evict.push({ entry: list[i]!, reason: 'max_count' });
    if (i < list.length) nextAt = Math.min(nextAt, list[i]!.deadAt + maxAgeMs);
  }
  return { evict, nextAt };
}
