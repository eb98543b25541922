// The resources as a whole: transitions and failures counted as they are recorded, and how many of
// each kind are tracked (read from the store at scrape time). Each resource's own series are
// rendered apart (resource-families.ts, resource-series.ts).
import { Counter, Gauge, type Registry } from 'prom-client';
import { ALL_KINDS, KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import type { MetricsSource } from './source.js';

export interface ResourceMetrics {
  /**
   * One recorded transition of a resource of `kind`; a change into a failure status of the kind
   * also counts in failures_total by its statusCode (never its message: free text is no label).
   */
  transition(t: { kind: KindName; transition: string; from: string | null; to: string; statusCode?: string | undefined }): void;
}

export function resourceMetrics(registers: Registry[], source: Pick<MetricsSource, 'resources'>): ResourceMetrics {
  const transitions = new Counter({
    name: 'cleanroomsml_monitor_transitions_total',
    help: 'Observed status transitions by resource kind; from="none" on first sight, to="VANISHED" when a resource starts answering 404.',
    labelNames: ['kind', 'from', 'to'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'cleanroomsml_monitor_failures_total',
    help: 'Status changes into a failure status of the kind, by the statusCode AWS gave ("none" when it gave none).',
    labelNames: ['kind', 'status', 'status_code'] as const,
    registers,
  });
  // Every kind has its series, at 0 while none is tracked (alerts compare them to 0).
  const trackedByKind = (): Map<string, number> => {
    const counts = new Map<string, number>(ALL_KINDS.map((k) => [k.kind, 0]));
    for (const s of source.resources().values()) if (s.tagFiltered !== true) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
    return counts;
  };
  new Gauge({
    name: 'cleanroomsml_monitor_resources_tracked',
    help: 'Resources currently tracked, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, n] of trackedByKind()) this.set({ kind }, n);
    },
  });
  // The name before every kind was a resource: kept for one minor release (CHANGELOG.md).
  new Gauge({
    name: 'cleanroomsml_monitor_jobs_tracked',
    help: 'Deprecated: cleanroomsml_monitor_resources_tracked, under its former name until the next minor release.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, n] of trackedByKind()) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_jobs_backfill_pending',
    help: 'Tracked resources known only from a List summary, waiting for a Get (metric backfill); kinds without a Get for their view never wait.',
    registers,
    collect() {
      let n = 0;
      for (const s of source.resources().values())
        if (s.detail === 'summary' && s.tagFiltered !== true && KINDS[s.kind]?.get[s.view] !== undefined) n++;
      this.set(n);
    },
  });
  return {
    transition(t) {
      transitions.inc({ kind: t.kind, from: t.from ?? 'none', to: t.to });
      if (t.transition === 'status_changed' && statusClass(t.to) === 'failure') {
        failures.inc({ kind: t.kind, status: t.to, status_code: t.statusCode ?? 'none' });
      }
    },
  };
}
