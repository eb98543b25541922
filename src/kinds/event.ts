// What the monitor observed about a resource of any kind, and the event a notification carries.
// Plain data: the pure diff produces transitions, routing turns them into events.
import type { KindName } from './kind.js';
import type { ResourceSnapshot } from './resource.js';

/**
 * first_seen, status_changed, metrics_appeared (a result declared `arrivesLate` first carried by a
 * Get while the status stayed) or vanished (a resource seen before that starts answering 404).
 */
export type ResourceTransitionKind = 'first_seen' | 'status_changed' | 'metrics_appeared' | 'vanished';

/** One observed change of a resource. */
export interface ResourceTransition {
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
export interface ResourceEvent {
  /** `<kind snake>.status_changed`. */
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
