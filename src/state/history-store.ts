// The part of the state about time: each resource's history and the finished phases of each kind
// and status. One home for how a commit changes them, so the file store (replaying its journal
// or committing) and the memory store of `once` apply a commit alike.
import { decodeHistory, withEntry, type HistoryEntry } from '../kinds/history.js';
import { durationKey, type DurationSamples } from '../kinds/usual.js';
import type { Checkpoint } from './checkpoint-text.js';
import type { SweepCommit } from './types.js';

export interface HistoryStore {
  history(id: string): readonly HistoryEntry[] | undefined;
  durations(): DurationSamples;
  /**
   * Applies the time parts of a commit, after its snapshots: histories of removed resources are
   * dropped; an entry for an id that is not stored (`stored`) is not kept.
   */
  apply(c: Pick<SweepCommit, 'remove' | 'history' | 'durations'>, stored: (id: string) => boolean): void;
  /** What a checkpoint writes: every history, by resource id. */
  histories(): IterableIterator<[string, readonly HistoryEntry[]]>;
  /** Takes what a checkpoint holds (replacing what was there for those ids and keys). */
  restore(cp: Pick<Checkpoint, 'history' | 'durations'>): void;
}

export function createHistoryStore(): HistoryStore {
  const byId = new Map<string, HistoryEntry[]>();
  const samples = new Map<string, number[]>();
  return {
    history: (id) => byId.get(id),
    durations: () => samples,
    apply(c, stored) {
      for (const id of c.remove) byId.delete(id);
      for (const u of c.history ?? []) {
        if (stored(u.id)) byId.set(u.id, withEntry(byId.get(u.id), u.entry, u.id));
      }
      const d = c.durations;
      if (d === undefined) return;
      for (const p of d.add) {
        const key = durationKey(p.kind, p.status);
        const list = samples.get(key) ?? [];
        list.push(p.seconds);
        if (list.length > d.keep) list.splice(0, list.length - d.keep);
        samples.set(key, list);
      }
    },
    histories: () => byId.entries(),
    restore(cp) {
      for (const h of cp.history) byId.set(h.id, decodeHistory(h.h));
      for (const d of cp.durations) samples.set(durationKey(d.kind, d.status), [...d.seconds]);
    },
  };
}
