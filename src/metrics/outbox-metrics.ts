// Notifications: attempts by target and outcome, dead letters dropped by their bounds, and the
// outbox itself (pending, oldest age, dead letters) read from the store at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EvictionReason } from '../notify/dead-letter-bounds.js';
import type { OutboxEntry } from '../state/types.js';
import { secs, type MetricsSource } from './source.js';

export type NotificationOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

export interface OutboxMetrics {
  notification(target: string, outcome: NotificationOutcome): void;
  /** One dead letter dropped by its target's bounds: it can no longer be re-sent. */
  deadLetterEvicted(target: string, reason: EvictionReason): void;
}

export function outboxMetrics(
  registers: Registry[],
  source: Pick<MetricsSource, 'pending' | 'deadLetters' | 'targetNames' | 'now'>,
): OutboxMetrics {
  const notifications = new Counter({
    name: 'cleanroomsml_monitor_notifications_total',
    help: 'Notification delivery attempts by target and outcome (delivered, retried, failed, dead_lettered).',
    labelNames: ['target', 'outcome'] as const,
    registers,
  });
  for (const t of source.targetNames()) {
    for (const o of ['delivered', 'retried', 'failed', 'dead_lettered']) notifications.inc({ target: t, outcome: o }, 0);
  }
  const evictions = new Counter({
    name: 'cleanroomsml_monitor_dead_letters_evicted_total',
    help: 'Dead letters dropped, oldest first, by target and reason: max_age (older than deadLetters.maxAgeMs) or max_count (more than deadLetters.maxCount); they can no longer be re-sent.',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  for (const t of source.targetNames()) for (const r of ['max_age', 'max_count']) evictions.inc({ target: t, reason: r }, 0);
  const byTarget = (entries: readonly OutboxEntry[]) => {
    const m = new Map<string, OutboxEntry[]>(source.targetNames().map((t) => [t, []]));
    for (const e of entries) {
      const list = m.get(e.target) ?? [];
      list.push(e);
      m.set(e.target, list);
    }
    return m;
  };
  new Gauge({
    name: 'cleanroomsml_monitor_outbox_pending',
    help: 'Notifications recorded and not yet delivered, by target.',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      for (const [t, list] of byTarget(source.pending())) this.set({ target: t }, list.length);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest undelivered notification, by target (0 when none).',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      const now = source.now();
      for (const [t, list] of byTarget(source.pending())) {
        const oldest = list.reduce((min, e) => Math.min(min, e.createdAt), Infinity);
        this.set({ target: t }, list.length === 0 ? 0 : Math.max(0, secs(now - oldest)));
      }
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_dead_letters',
    help: 'Notifications given up on (kept in the state; list and re-send with `outbox list` / `outbox retry`), by target.',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      for (const [t, list] of byTarget(source.deadLetters())) this.set({ target: t }, list.length);
    },
  });
  return {
    notification(target, outcome) {
      notifications.inc({ target, outcome });
    },
    deadLetterEvicted(target, reason) {
      evictions.inc({ target, reason });
    },
  };
}
