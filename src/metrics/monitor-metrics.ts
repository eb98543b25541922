// The monitor process: node's default metrics (prefixed), readiness, config loads and the build.
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import { secs } from './source.js';

export interface MonitorMetrics {
  setReady(ready: boolean): void;
  configReload(ok: boolean, at: number): void;
}

/** Process metrics first: registered before every other family. */
export function processMetrics(registry: Registry): void {
  // Default process metrics, prefixed so they never collide with another exporter in the pod.
  collectDefaultMetrics({ register: registry, prefix: 'cleanroomsml_monitor_' });
  // prom-client exports a few gauges named *_total (active handles/requests/resources), which
  // `promtool check metrics` rejects ("non-counter metrics should not have _total suffix").
  for (const m of registry.getMetricsAsArray()) {
    if (m instanceof Gauge && m.name.endsWith('_total')) registry.removeSingleMetric(m.name);
  }
}

export function monitorMetrics(registers: Registry[], version: string): MonitorMetrics {
  const ready = new Gauge({ name: 'cleanroomsml_monitor_ready', help: '1 when /readyz answers 200.', registers });
  ready.set(0);
  const reloadOk = new Gauge({
    name: 'cleanroomsml_monitor_config_last_reload_successful',
    help: '1 if the last configuration load or reload succeeded.',
    registers,
  });
  const reloadAt = new Gauge({
    name: 'cleanroomsml_monitor_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration load or reload.',
    registers,
  });
  new Gauge({
    name: 'cleanroomsml_monitor_build_info',
    help: 'Build information; always 1.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  }).set({ version, node_version: process.version }, 1);

  return {
    setReady: (r) => ready.set(r ? 1 : 0),
    configReload(ok, at) {
      reloadOk.set(ok ? 1 : 0);
      if (ok) reloadAt.set(secs(at));
    },
  };
}
