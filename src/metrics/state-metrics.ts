// The state directory: records that could not be written, failed checkpoints, what it can do now
// (ok, degraded, unwritable), the journal's size and limit, corrupt files moved aside at start.
import { Counter, Gauge, type Registry } from 'prom-client';
import { STATE_HEALTH_STATUSES } from '../state/health.js';
import type { MetricsSource } from './source.js';

export interface StateMetrics {
  stateQuarantined(file: string): void;
}

export function stateMetrics(
  registers: Registry[],
  source: Pick<MetricsSource, 'stateWriteErrors' | 'stateCheckpointFailures' | 'stateHealth'>,
): StateMetrics {
  let writeErrorsSeen = 0;
  new Counter({
    name: 'cleanroomsml_monitor_state_write_errors_total',
    help: 'Records that could not be written to the state dir (full disk, I/O errors, journal full); nothing unrecorded is ever sent.',
    registers,
    collect() {
      // The count is kept where the writes fail (they may fail before the metrics exist).
      const n = source.stateWriteErrors?.() ?? 0;
      if (n > writeErrorsSeen) this.inc(n - writeErrorsSeen);
      writeErrorsSeen = n;
    },
  });
  let checkpointFailuresSeen = 0;
  new Counter({
    name: 'cleanroomsml_monitor_state_checkpoint_failures_total',
    help: 'Failed state checkpoints (records still go to the journal while it can be appended to).',
    registers,
    collect() {
      const n = source.stateCheckpointFailures?.() ?? 0;
      if (n > checkpointFailuresSeen) this.inc(n - checkpointFailuresSeen);
      checkpointFailuresSeen = n;
    },
  });
  // One-hot, read from the store at scrape time: ok, degraded (checkpoints fail, the journal
  // records everything) or unwritable (records cannot be written).
  new Gauge({
    name: 'cleanroomsml_monitor_state_health',
    help: '1 for what the state dir can do now: ok, degraded (checkpoints fail, journal appends work) or unwritable (records fail).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const now = source.stateHealth?.().status ?? 'ok';
      for (const s of STATE_HEALTH_STATUSES) this.set({ state: s }, s === now ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_state_journal_bytes',
    help: 'Size of the state journal; it is folded into a checkpoint as it grows, and grows while checkpoints fail.',
    registers,
    collect() {
      this.set(source.stateHealth?.().journalBytes ?? 0);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_state_journal_limit_bytes',
    help: 'Journal size past which new records are refused while checkpoints fail.',
    registers,
    collect() {
      this.set(source.stateHealth?.().journalLimitBytes ?? 0);
    },
  });
  const quarantined = new Counter({
    name: 'cleanroomsml_monitor_state_files_quarantined_total',
    help: 'Corrupt state files moved aside at start-up.',
    labelNames: ['file'] as const,
    registers,
  });
  return {
    stateQuarantined: (file) => quarantined.inc({ file: file.replace(/\.corrupt-.*$/, '') }),
  };
}
