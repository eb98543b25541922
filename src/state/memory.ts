// A StateStore that keeps everything in memory: for `once`, which reads AWS and prints, and must
// neither need nor touch a state dir (it can run beside the daemon).
import type { DeadLetter, OutboxEntry } from './types.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { StateStore, SweepCommit } from './types.js';
import { createHistoryStore } from './history-store.js';

export function createMemoryStore(): StateStore {
  const resources = new Map<string, ResourceSnapshot>();
  const times = createHistoryStore();
  const outbox = new Map<string, OutboxEntry>();
  const dead = new Map<string, DeadLetter>();
  const listeners = new Set<() => void>();
  return {
    resources: () => resources,
    history: (id) => times.history(id),
    durations: () => times.durations(),
    pending: () => [...outbox.values()],
    deadLetters: () => [...dead.values()],
    async commit(c: SweepCommit) {
      for (const id of c.remove) resources.delete(id);
      for (const s of c.upsert) resources.set(s.id, s);
      times.apply(c, (id) => resources.has(id));
      for (const e of c.enqueue) if (!outbox.has(e.id) && !dead.has(e.id)) outbox.set(e.id, e);
      if (c.enqueue.length > 0) for (const l of listeners) l();
    },
    async markDelivered(id) {
      outbox.delete(id);
    },
    async recordAttempt(id, u) {
      const e = outbox.get(id);
      if (e) outbox.set(id, { ...e, ...u });
    },
    async deadLetter(id, reason, at) {
      const e = outbox.get(id);
      if (!e) return;
      outbox.delete(id);
      dead.set(id, { ...e, reason, deadAt: at });
    },
    async retryDeadLetters(ids, at) {
      const chosen = ids === 'all' ? [...dead.keys()] : ids.filter((i) => dead.has(i));
      for (const id of chosen) {
        const { deadAt: _d, reason: _r, ...e } = dead.get(id)!;
        dead.delete(id);
        outbox.set(id, { ...e, attempts: 0, nextAttemptAt: at, createdAt: at });
      }
      if (chosen.length > 0) for (const l of listeners) l();
      return chosen.length;
    },
    async discardDeadLetters(ids) {
      const chosen = ids === 'all' ? [...dead.keys()] : [...new Set(ids)].filter((i) => dead.has(i));
      for (const id of chosen) dead.delete(id);
      return chosen.length;
    },
    onPending(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async close() {},
  };
}
