// The last status change the monitor saw of each resource, kept in memory for the admin API and
// the status page (`lastTransition`, and when the current status was first seen). Fed by the
// poller's committed transitions; empty again after a restart, where the views show none until
// the next change. Bounded: past `max` ids the one changed longest ago is dropped.
import type { ResourceTransition } from '../kinds/event.js';

export interface SeenTransition {
  from: string;
  to: string;
  /** AWS updateTime of the snapshot that carried the new status (epoch ms). */
  at: number;
  /** When the monitor observed it (epoch ms). */
  seenAt: number;
}

export interface RecentTransitions {
  /** Takes note of a committed transition (status changes are kept, a vanished resource is forgotten). */
  record(t: ResourceTransition): void;
  get(id: string): SeenTransition | undefined;
  readonly size: number;
}

export function createRecentTransitions(max = 50_000): RecentTransitions {
  const last = new Map<string, SeenTransition>();
  return {
    record(t) {
      if (t.kind === 'vanished') {
        last.delete(t.id);
        return;
      }
      if (t.kind !== 'status_changed' || t.from === null) return;
      // Delete first: a Map iterates in insertion order, so the first key is the oldest change.
      last.delete(t.id);
      last.set(t.id, { from: t.from, to: t.to, at: t.snapshot.updateTime, seenAt: t.observedAt });
      if (last.size > max) last.delete(last.keys().next().value as string);
    },
    get: (id) => last.get(id),
    get size() {
      return last.size;
    },
  };
}
