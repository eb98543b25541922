// How long statuses take, per kind and status (never per resource: a few dozen series in all):
//   cleanroomsml_<kind>_status_duration_seconds{status}                 histogram of finished phases
//   cleanroomsml_<kind>_status_duration_usual_seconds{status,quantile}  p50 and p90 of the last
//                                                                        `durations.samples` phases
//                                                                        (a summary: _sum, _count)
//   cleanroomsml_monitor_slower_than_usual{kind,status}                 resources slower than usual now
// The histogram counts phases as they finish (it starts empty after a restart, as counters do); the
// usual and the slower-than-usual count are read from the state at scrape time, so they are the
// same as what the API, the page and the events say.
import { Gauge, Histogram, type Registry } from 'prom-client';
import { sinceOf } from '../kinds/history.js';
import { ALL_KINDS, KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { isSlower, splitDurationKey, USUAL_QUANTILES, usualLookup, type DurationSamples, type DurationSettings } from '../kinds/usual.js';

/** From a minute to a week: a phase of an inference job to a day-long audience model, and stuck ones. */
export const DURATION_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800];

export interface DurationSource {
  resources(): ReadonlyMap<string, ResourceSnapshot>;
  durations(): DurationSamples;
  /** `durations:` of the config in force. */
  settings(): DurationSettings;
  now(): number;
}

export interface DurationMetrics {
  /** One finished phase of a resource of `kind` in `status`. */
  phase(kind: KindName, status: string, seconds: number): void;
}

/**
 * `cleanroomsml_<kind>_status_duration_usual_seconds`: typed summary, the one type that takes a
 * `quantile` label (`promtool check metrics` refuses it on a gauge), with `_sum` and `_count` of
 * the same samples. Its values are those of the state's samples at scrape time, so it is a
 * collector of its own (prom-client's Summary only observes).
 */
function usualSummary(kind: KindName, snake: string, title: string, source: DurationSource) {
  const name = `cleanroomsml_${snake}_status_duration_usual_seconds`;
  const metric = {
    name,
    help: `Usual time ${title}s spend in a status: nearest-rank quantiles of the last durations.samples finished phases (_count of them, _sum of their seconds), once durations.slowerThanUsual.minSamples are known.`,
    type: 'summary',
    aggregator: 'sum',
    reset() {},
    async get() {
      const settings = source.settings();
      const samples = source.durations();
      const usual = usualLookup(samples, settings);
      const values: { labels: Record<string, string>; value: number; metricName?: string }[] = [];
      for (const [key, seconds] of samples) {
        const ks = splitDurationKey(key);
        if (ks.kind !== kind) continue;
        const u = usual(kind, ks.status);
        if (!u) continue;
        for (const q of USUAL_QUANTILES) values.push({ labels: { status: ks.status, quantile: q.label }, value: u[q.key] });
        const last = seconds.slice(-settings.samples);
        values.push({ metricName: `${name}_sum`, labels: { status: ks.status }, value: last.reduce((a, b) => a + b, 0) });
        values.push({ metricName: `${name}_count`, labels: { status: ks.status }, value: last.length });
      }
      return { name, help: metric.help, type: 'summary', values, aggregator: 'sum' };
    },
  };
  return metric;
}

export function createDurationMetrics(registry: Registry, source: DurationSource): DurationMetrics {
  const registers = [registry];
  const histograms = new Map<KindName, Histogram<'status'>>();
  for (const k of ALL_KINDS) {
    histograms.set(
      k.kind,
      new Histogram({
        name: `cleanroomsml_${k.snake}_status_duration_seconds`,
        help: `Time ${k.title}s spent in a status they left, by the status left; only phases whose start the monitor saw (AWS updateTime at entry to updateTime at exit).`,
        labelNames: ['status'] as const,
        buckets: DURATION_BUCKETS,
        registers,
      }),
    );
    registry.registerMetric(usualSummary(k.kind, k.snake, k.title, source) as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  new Gauge({
    name: 'cleanroomsml_monitor_slower_than_usual',
    help: 'Resources in an under-way status for longer than max(factor x the p90 of their kind and status, minimum) (durations.slowerThanUsual); 0 for every under-way status whose usual is known.',
    labelNames: ['kind', 'status'] as const,
    registers,
    collect() {
      this.reset();
      const settings = source.settings();
      const samples = source.durations();
      const usual = usualLookup(samples, settings);
      for (const key of samples.keys()) {
        const { kind, status } = splitDurationKey(key);
        if (statusClass(status) === 'inProgress' && usual(kind, status)) this.set({ kind, status }, 0);
      }
      const now = source.now();
      for (const s of source.resources().values()) {
        if (statusClass(s.status) !== 'inProgress') continue;
        if (isSlower(s.status, sinceOf(s), now, usual(s.kind, s.status), settings)) this.inc({ kind: s.kind, status: s.status });
      }
    },
  });
  return {
    phase(kind, status, seconds) {
      if (KINDS[kind] === undefined || !Number.isFinite(seconds) || seconds < 0) return;
      histograms.get(kind)?.observe({ status }, seconds);
    },
  };
}
