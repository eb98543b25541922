// What the metrics read at scrape time from the rest of the monitor (the store, the config in force).
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { StateHealth } from '../state/health.js';
import type { DeadLetter, OutboxEntry } from '../state/types.js';
import type { StatusSeries } from './resource-families.js';

export interface MetricsSource {
  /** Tracked resources of every kind, by id. */
  resources(): ReadonlyMap<string, ResourceSnapshot>;
  pending(): readonly OutboxEntry[];
  deadLetters(): readonly DeadLetter[];
  /** Names of the configured notification targets (so their series exist at 0). */
  targetNames(): readonly string[];
  now(): number;
  /** metrics.statusSeries in force (default nonTerminalOnly, as the config's). */
  statusSeries?(): StatusSeries;
  /** tags.keys in force: the labels of cleanroomsml_<kind>_tags (default none). */
  tagKeys?(): readonly string[];
  /** Records that could not be written to the state dir so far (a count kept by whoever sees them). */
  stateWriteErrors?(): number;
  /** Failed state checkpoints so far. */
  stateCheckpointFailures?(): number;
  /** What the state dir can do now. */
  stateHealth?(): Pick<StateHealth, 'status' | 'journalBytes' | 'journalLimitBytes'>;
}

export const secs = (ms: number) => ms / 1000;
