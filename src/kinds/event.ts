// What the monitor observed about a resource of any kind, and the event a notification carries.
// Plain data: the pure diff produces transitions, routing turns them into events.
import type { HistoryPhase } from './history.js';
import type { KindName } from './kind.js';
import type { ResourceSnapshot } from './resource.js';
import type { Usual } from './usual.js';

/**
 * first_seen, status_changed, metrics_appeared (a result declared `arrivesLate` first carried by a
 * Get while the status stayed), vanished (a resource seen before that starts answering 404), or
 * slower_than_usual (in an under-way status for longer than its kind usually takes: src/kinds/usual.ts;
 * the status did not change, `from` equals `to`).
 */
export type ResourceTransitionKind = 'first_seen' | 'status_changed' | 'metrics_appeared' | 'vanished' | 'slower_than_usual';

/** What the monitor knows of a transition's durations, beside the snapshots (added by the sweep from the state). */
export interface TransitionTimes {
  /** status_changed: seconds spent in the status left (`from`), when the monitor saw it begin. */
  durationSeconds?: number;
  /** The usual duration of `from` (status_changed) or of `to` (slower_than_usual), once known. */
  usual?: Usual;
  /** slower_than_usual: seconds in `to` at the observation. */
  inStatusSeconds?: number;
  /** The resource's history with this transition, oldest first: the newest HISTORY_IN_EVENTS phases (src/kinds/history.ts). */
  history?: HistoryPhase[];
}

/** One observed change of a resource. */
export interface ResourceTransition extends TransitionTimes {
  kind: ResourceTransitionKind;
  /** The resource's id (its ARN, or the stable identity of kinds without one). */
  id: string;
  /** Previous status; null on first sight. */
  from: string | null;
  /** New status; VANISHED for `vanished`. */
  to: string;
  /** When the monitor observed it (epoch ms). */
  observedAt: number;
  /** The newest snapshot (for `vanished`: the last one seen). */
  snapshot: ResourceSnapshot;
}

/** The target-independent content of a notification about a resource of any kind. */
export interface ResourceEvent extends TransitionTimes {
  /** `<kind snake>.status_changed`, or `<kind snake>.slower_than_usual`. */
  type: string;
  kind: KindName;
  transition: ResourceTransitionKind;
  /** The resource's id: its ARN, or the stable identity of kinds without one. */
  arn: string;
  name: string;
  previousStatus: string | null;
  status: string;
  /** The resource's updateTime (epoch ms) that produced the event. */
  updateTime: number;
  observedAt: number;
  resource: ResourceSnapshot;
}
