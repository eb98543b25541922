// The persistence contract. The store is the single source of truth for last-seen snapshots and
// for the notification outbox: a sweep's snapshots and the notifications they cause are recorded
// in one durable write, before anything is sent (so a crash can repeat a send, never lose one).
import type { ResourceEvent } from '../kinds/event.js';
import type { HistoryEntry } from '../kinds/history.js';
import type { KindName } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { DurationSamples } from '../kinds/usual.js';

/** A notification waiting for delivery to one target. Persisted with the snapshot that caused it. */
export interface OutboxEntry {
  /** Stable id, `evt_...`, derived from (arn, status, updateTime, target): the webhook-id. */
  id: string;
  target: string;
  /** The event about a resource of any kind (state of version 1 held another shape: converted on load). */
  event: ResourceEvent;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface DeadLetter extends OutboxEntry {
  deadAt: number;
  reason: string;
}

/** An entry of a resource's history: it replaces the last entry when that is the same phase (status and start), else it is appended. */
export interface HistoryUpdate {
  id: string;
  entry: HistoryEntry;
}

/** One finished phase: how long a resource of `kind` was in `status`. */
export interface PhaseSample {
  kind: KindName;
  status: string;
  seconds: number;
}

/** One sweep's durable result: applied atomically. */
export interface SweepCommit {
  upsert: ResourceSnapshot[];
  /** Ids forgotten (vanished resources, retired series): their histories go with them. */
  remove: string[];
  enqueue: OutboxEntry[];
  /** History entries of resources stored (after `upsert`), in order; the newest HISTORY_ENTRIES are kept. */
  history?: HistoryUpdate[];
  /** Finished phases; of each kind and status the newest `keep` are kept. */
  durations?: { keep: number; add: PhaseSample[] };
}

/** The outbox part of the store, as the notifier sees it. */
export interface OutboxStore {
  /** Pending entries, oldest first (insertion order), across all targets. */
  pending(): readonly OutboxEntry[];
  deadLetters(): readonly DeadLetter[];
  /** Durably forget a delivered entry. */
  markDelivered(id: string): Promise<void>;
  /** Durably record a failed attempt (attempts, nextAttemptAt, lastError). */
  recordAttempt(id: string, update: Pick<OutboxEntry, 'attempts' | 'nextAttemptAt' | 'lastError'>): Promise<void>;
  /** Durably move a pending entry to the dead letters. */
  deadLetter(id: string, reason: string, at: number): Promise<void>;
  /** Move dead letters back to pending (attempts reset). Returns how many moved. */
  retryDeadLetters(ids: readonly string[] | 'all', at: number): Promise<number>;
  /** Durably forget dead letters (an operator gave up on them, or they went past their bounds). Returns how many were removed. */
  discardDeadLetters(ids: readonly string[] | 'all'): Promise<number>;
  /** Called after any change to the pending set (new entries committed). */
  onPending(listener: () => void): () => void;
}

export interface StateStore extends OutboxStore {
  /** Last-seen snapshot of every watched resource, of every kind, by id (the ARN where it has one). */
  resources(): ReadonlyMap<string, ResourceSnapshot>;
  /** The history of a stored resource, oldest first (undefined: none recorded). */
  history(id: string): readonly HistoryEntry[] | undefined;
  /** Finished phases by kind and status (src/kinds/usual.ts durationKey), oldest first. */
  durations(): DurationSamples;
  commit(change: SweepCommit): Promise<void>;
  /** Flush and release the lock. */
  close(): Promise<void>;
}
