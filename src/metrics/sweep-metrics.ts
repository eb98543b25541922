// Sweeps: their outcome, duration and schedule, each List scope's last outcome, and the shard
// layout the pod sweeps under.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { secs } from './source.js';

export interface SweepMetrics {
  sweep(ok: boolean, durationMs: number, finishedAt: number): void;
  sweepSkipped(): void;
  setPollInterval(ms: number): void;
  /**
   * Outcome of the List scopes of one sweep: `listed` were called (those in `failed` did not
   * complete). `current` is every scope of the config in force: series of other scopes are dropped.
   */
  scopes(s: { listed: readonly string[]; failed: readonly string[]; current: readonly string[]; at: number }): void;
  /**
   * The shard layout this pod sweeps under: `layout` names the whole assignment (the same in every
   * pod of it), `lists` the top-level Lists this pod calls, `handover` a takeover under way.
   */
  shardLayout(l: { layout: string; shard: number; totalShards: number; lists: number; handover: boolean }): void;
}

export function sweepMetrics(registers: Registry[]): SweepMetrics {
  const lastPoll = new Gauge({
    name: 'cleanroomsml_monitor_last_successful_poll_timestamp_seconds',
    help: 'Unix time the last fully successful sweep finished (0 before the first).',
    registers,
  });
  lastPoll.set(0);
  const pollInterval = new Gauge({
    name: 'cleanroomsml_monitor_poll_interval_seconds',
    help: 'Interval between sweeps implied by polling.schedule.',
    registers,
  });
  const sweeps = new Counter({
    name: 'cleanroomsml_monitor_sweeps_total',
    help: 'Completed sweeps by outcome (success: every List and Get answered; failed: some AWS call failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  sweeps.inc({ outcome: 'success' }, 0);
  sweeps.inc({ outcome: 'failed' }, 0);
  const skipped = new Counter({
    name: 'cleanroomsml_monitor_sweeps_skipped_total',
    help: 'Schedule ticks skipped because the previous sweep was still running.',
    registers,
  });
  const sweepDuration = new Histogram({
    name: 'cleanroomsml_monitor_sweep_duration_seconds',
    help: 'Duration of a sweep.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  // Per List scope, so one bad discovery role or scope shows (and alerts) without failing
  // readiness. The label is the List's key: `[<roleArn>@<region>|]<kind>|<List>|<param>=<value>,...`.
  const scopeUp = new Gauge({
    name: 'cleanroomsml_monitor_discovery_scope_up',
    help: '1 if the last List of this scope (all its pages) succeeded, 0 if it failed.',
    labelNames: ['scope'] as const,
    registers,
  });
  const scopeLastOk = new Gauge({
    name: 'cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds',
    help: 'Unix time the last complete List of this scope finished (0 if none has since start).',
    labelNames: ['scope'] as const,
    registers,
  });
  const scopeKeys = new Set<string>();
  return {
    sweep(ok, durationMs, finishedAt) {
      sweeps.inc({ outcome: ok ? 'success' : 'failed' });
      sweepDuration.observe(secs(durationMs));
      if (ok) lastPoll.set(secs(finishedAt));
    },
    sweepSkipped: () => skipped.inc(),
    setPollInterval: (ms) => pollInterval.set(secs(ms)),
    ...shardMetrics(registers),
    scopes(s) {
      updateScopes(scopeKeys, scopeUp, scopeLastOk, s);
    },
  };
}

/** The shard layout the pod sweeps under. */
function shardMetrics(registers: Registry[]): Pick<SweepMetrics, 'shardLayout'> {
  const shardInfo = new Gauge({
    name: 'cleanroomsml_monitor_shard_info',
    help: 'The shard layout this pod sweeps under (1): its shard, the shard count, and a name of the whole assignment of Lists to shards, the same in every pod of one layout.',
    labelNames: ['shard', 'total_shards', 'layout'] as const,
    registers,
  });
  const shardLists = new Gauge({
    name: 'cleanroomsml_monitor_shard_lists',
    help: 'Discovery Lists (top-level; per-parent ones follow their parents) this pod calls under the shard layout.',
    registers,
  });
  const shardHandover = new Gauge({
    name: 'cleanroomsml_monitor_shard_handover',
    help: '1 while this pod takes over resources after the shard layout changed (docs/deploy.md, Sharding).',
    registers,
  });
  return {
    shardLayout(l) {
      // One series at a time: the layout in force.
      shardInfo.reset();
      shardInfo.set({ shard: String(l.shard), total_shards: String(l.totalShards), layout: l.layout }, 1);
      shardLists.set(l.lists);
      shardHandover.set(l.handover ? 1 : 0);
    },
  };
}

/** Sets the scopes a sweep listed, and drops the series of scopes no longer in the config. */
function updateScopes(
  scopeKeys: Set<string>,
  scopeUp: Gauge<'scope'>,
  scopeLastOk: Gauge<'scope'>,
  { listed, failed, current, at }: { listed: readonly string[]; failed: readonly string[]; current: readonly string[]; at: number },
): void {
  const bad = new Set(failed);
  for (const key of listed) {
    if (!scopeKeys.has(key)) {
      scopeKeys.add(key);
      scopeLastOk.set({ scope: key }, 0);
    }
    scopeUp.set({ scope: key }, bad.has(key) ? 0 : 1);
    if (!bad.has(key)) scopeLastOk.set({ scope: key }, secs(at));
  }
  const keep = new Set(current);
  for (const key of [...scopeKeys]) {
    if (keep.has(key)) continue;
    scopeKeys.delete(key);
    scopeUp.remove({ scope: key });
    scopeLastOk.remove({ scope: key });
  }
}
