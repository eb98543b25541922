// An in-memory OutboxStore (the real contract, no disk) for worker tests. `ops` records every
// durable call in order, so tests can assert "recorded before the next attempt".
import type { DeadLetter, OutboxEntry } from '../../src/state/types.js';
import type { OutboxStore } from '../../src/state/types.js';

export type Op =
  | { op: 'delivered'; id: string }
  | { op: 'attempt'; id: string; attempts: number; nextAttemptAt: number; lastError?: string }
  | { op: 'dead'; id: string; reason: string; at: number }
  | { op: 'revive'; ids: readonly string[] | 'all'; at: number }
  | { op: 'discard'; ids: readonly string[] };

export class MemoryOutbox implements OutboxStore {
  private entries: OutboxEntry[] = [];
  private dead: DeadLetter[] = [];
  private listeners = new Set<() => void>();
  readonly ops: Op[] = [];
  /** When set, the next durable call throws this (a full disk). */
  failNext: Error | undefined;
  /** While set, every durable call throws this (a journal over its bound). */
  failAll: Error | undefined;

  /** What a sweep commit does for the outbox: append, then notify. */
  add(...entries: OutboxEntry[]): void {
    this.entries.push(...entries.map((e) => structuredClone(e)));
    for (const l of this.listeners) l();
  }
  pending(): readonly OutboxEntry[] {
    return this.entries;
  }
  deadLetters(): readonly DeadLetter[] {
    return this.dead;
  }
  private check(): void {
    const e = this.failNext ?? this.failAll;
    this.failNext = undefined;
    if (e) throw e;
  }
  async markDelivered(id: string): Promise<void> {
    this.check();
    this.ops.push({ op: 'delivered', id });
    this.entries = this.entries.filter((e) => e.id !== id);
  }
  async recordAttempt(id: string, u: Pick<OutboxEntry, 'attempts' | 'nextAttemptAt' | 'lastError'>): Promise<void> {
    this.check();
    this.ops.push({ op: 'attempt', id, ...u });
    this.entries = this.entries.map((e) => (e.id === id ? { ...e, ...u } : e));
  }
  async deadLetter(id: string, reason: string, at: number): Promise<void> {
    this.check();
    this.ops.push({ op: 'dead', id, reason, at });
    const e = this.entries.find((x) => x.id === id);
    if (!e) return;
    this.entries = this.entries.filter((x) => x.id !== id);
    this.dead.push({ ...e, deadAt: at, reason });
  }
  async retryDeadLetters(ids: readonly string[] | 'all', at: number): Promise<number> {
    this.check();
    this.ops.push({ op: 'revive', ids, at });
    const moving = this.dead.filter((d) => ids === 'all' || ids.includes(d.id));
    this.dead = this.dead.filter((d) => !moving.includes(d));
    const revived = moving.map(({ deadAt: _d, reason: _r, ...e }) => ({ ...e, attempts: 0, nextAttemptAt: at }));
    this.add(...revived);
    return moving.length;
  }
  async discardDeadLetters(ids: readonly string[] | 'all'): Promise<number> {
    this.check();
    const chosen = this.dead.filter((d) => ids === 'all' || ids.includes(d.id)).map((d) => d.id);
    this.ops.push({ op: 'discard', ids: chosen });
    this.dead = this.dead.filter((d) => !chosen.includes(d.id));
    return chosen.length;
  }
  onPending(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
