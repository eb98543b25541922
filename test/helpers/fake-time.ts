// A manual clock and timers for worker tests: time moves only when the test advances it.
import type { Clock } from '../../src/domain.js';

export interface FakeTime {
  clock: Clock;
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  /** Runs every timer due up to now + ms, in order, letting promises settle between them. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise chains run without moving time. */
  settle(): Promise<void>;
  pendingTimers(): number;
}

export function fakeTime(start: number): FakeTime {
  let now = start;
  let seq = 0;
  const queue = new Map<number, { at: number; fn: () => void }>();
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
  };
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (fn, ms) => {
        const id = ++seq;
        queue.set(id, { at: now + Math.max(0, ms), fn });
        return id;
      },
      clearTimeout: (h) => void queue.delete(h as number),
    },
    settle,
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const due = [...queue.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        queue.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await settle();
      }
      now = end;
      await settle();
    },
    pendingTimers: () => queue.size,
  };
}
