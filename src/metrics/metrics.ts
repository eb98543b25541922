// Prometheus metrics, kube-state-metrics style: one-hot status over every status value, times as
// timestamps, static labels in _info. Resource series are built from the state store at scrape
// time, so a resource forgotten by the store disappears from /metrics with no bookkeeping. Each
// subsystem's families are declared in a file of their own; this composes them on one registry.
import type { Registry } from 'prom-client';
import { apiMetrics, type ApiMetrics } from './api-metrics.js';
import { createExposition, type Exposition } from './exposition.js';
import { monitorMetrics, processMetrics, type MonitorMetrics } from './monitor-metrics.js';
import { outboxMetrics, type OutboxMetrics } from './outbox-metrics.js';
import { resourceMetrics, type ResourceMetrics } from './resource-metrics.js';
import type { MetricsSource } from './source.js';
import { stateMetrics, type StateMetrics } from './state-metrics.js';
import { sweepMetrics, type SweepMetrics } from './sweep-metrics.js';

export type { MetricsSource } from './source.js';

export interface Metrics extends Exposition, ApiMetrics, ResourceMetrics, OutboxMetrics, SweepMetrics, MonitorMetrics, StateMetrics {}

export function createMetrics(registry: Registry, source: MetricsSource, version: string): Metrics {
  const registers = [registry];
  processMetrics(registry);
  // The order of the families in /metrics is the order they are registered in.
  const api = apiMetrics(registers);
  const resources = resourceMetrics(registers, source);
  const outbox = outboxMetrics(registers, source);
  const sweeps = sweepMetrics(registers);
  const monitor = monitorMetrics(registers, version);
  const state = stateMetrics(registers, source);
  return { ...createExposition(registry, source), ...api, ...resources, ...outbox, ...sweeps, ...monitor, ...state };
}
