// Pure: which targets hear about which transitions. Runs inside the sweep, before the durable commit,
// so its output is persisted together with the snapshots that caused it.
import { DEFAULT_NOTIFY_STATUSES, isTerminal, VANISHED, type JobEvent, type OutboxEntry, type Transition } from '../domain.js';
import type { NotificationTarget } from '../config/schema.js';
import type { ResourceEvent, ResourceTransition } from '../kinds/event.js';
import { defaultNotifyStatuses, KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import { eventId } from './event-id.js';
import { compileJobNamePattern } from './job-name-pattern.js';

/**
 * Optional per-target filters. Read as optional so this compiles before the schema
 * declares them; absent means "no filter".
 */
export interface TargetFilters {
  /** JS regular expression matched against the WHOLE job name (anchored, like Alertmanager's `=~`). */
  jobNamePattern?: string;
  /** Only jobs of these collaborations. A job whose collaborationId is unknown does not match. */
  collaborationIds?: readonly string[];
  /** Every transition: any status change, first sight of a non-terminal job, vanished, metrics appearing. */
  everyTransition?: boolean;
  /** Only resources of these kinds; absent: every kind. */
  kinds?: readonly KindName[];
}

export type RoutableTarget = Pick<NotificationTarget, 'name'> & { statuses?: readonly string[] | undefined } & TargetFilters;

/**
 * A target as resource routing reads it: `statuses` absent means the kind's defaults (its
 * success and every failure status, src/kinds defaultNotifyStatuses).
 */
export type ResourceRoutableTarget = Pick<NotificationTarget, 'name'> & { statuses?: readonly string[] | undefined } & TargetFilters;

export interface RouteOptions {
  notifyOnFirstSeenTerminal: boolean;
  now: number;
}

/**
 * Fans transitions out to targets, one OutboxEntry per (transition, target).
 *
 * Rules:
 * - status_changed / vanished: notified when the new status (VANISHED for vanished) is in `statuses`.
 * - first_seen of a terminal job (ACTIVE, CREATE_FAILED, DELETE_FAILED): old news (the job finished
 *   before the monitor looked, or the state was lost), so only with notifyOnFirstSeenTerminal.
 *   first_seen of a non-terminal job notifies targets listing that status.
 * - metrics_appeared: the status did not change, so it is not a status event; only `everyTransition`
 *   targets receive it. Its id hashes status `<status>#metrics` so it never collides with the
 *   status event of the same updateTime.
 * - everyTransition: every kind, whatever `statuses` says (first-seen-terminal still gated).
 */
export function route(transitions: Transition[], targets: readonly RoutableTarget[], opts: RouteOptions): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  if (transitions.length === 0) return out;
  const patterns = new Map(targets.map((t) => [t, t.jobNamePattern === undefined ? undefined : compileJobNamePattern(t.jobNamePattern)]));
  for (const t of transitions) {
    if (t.kind === 'first_seen' && isTerminal(t.to) && !opts.notifyOnFirstSeenTerminal) continue;
    const event = toEvent(t);
    for (const target of targets) {
      if (!wants(target, t, patterns.get(target))) continue;
      const idStatus = t.kind === 'metrics_appeared' ? `${t.to}#metrics` : t.to;
      out.push({
        id: eventId(t.arn, idStatus, t.snapshot.updateTime, target.name),
        target: target.name,
        event,
        createdAt: opts.now,
        attempts: 0,
        nextAttemptAt: opts.now,
      });
    }
  }
  return out;
}

function wants(target: RoutableTarget, t: Transition, pattern: RegExp | undefined): boolean {
  if (!matchesFilters(target, t, pattern)) return false;
  if (target.everyTransition === true) return true;
  if (t.kind === 'metrics_appeared') return false;
  const status = t.kind === 'vanished' ? VANISHED : t.to;
  return (target.statuses ?? DEFAULT_NOTIFY_STATUSES).includes(status);
}

function matchesFilters(target: RoutableTarget, t: Transition, re: RegExp | undefined): boolean {
  if (target.kinds !== undefined && !target.kinds.includes('audienceGenerationJob')) return false;
  if (target.collaborationIds !== undefined && target.collaborationIds.length > 0) {
    const c = t.snapshot.collaborationId;
    if (c === undefined || !target.collaborationIds.includes(c)) return false;
  }
  if (target.jobNamePattern !== undefined) {
    // Fail open on an invalid pattern (the schema should have refused it): a spurious message is
    // better than a silently missing "your job failed".
    if (re !== undefined && !re.test(t.snapshot.name)) return false;
  }
  return true;
}

function toEvent(t: Transition): JobEvent {
  return {
    type: 'audience_generation_job.status_changed',
    transition: t.kind,
    arn: t.arn,
    name: t.snapshot.name,
    previousStatus: t.from,
    status: t.to,
    updateTime: t.snapshot.updateTime,
    observedAt: t.observedAt,
    job: t.snapshot,
  };
}

/** The notification event of a resource transition: type `<kind snake>.status_changed`. */
export function resourceEvent(t: ResourceTransition): ResourceEvent {
  const kind = KINDS[t.snapshot.kind];
  return {
    type: `${kind.snake}.status_changed`,
    kind: kind.kind,
    transition: t.kind,
    arn: t.id,
    name: t.snapshot.name,
    previousStatus: t.from,
    status: t.to,
    updateTime: t.snapshot.updateTime,
    observedAt: t.observedAt,
    resource: t.snapshot,
  };
}

/**
 * route() for resources of any kind, by the same rules, everything kind-specific read from the
 * declaration: "terminal" is the success, failure and at-rest classes of the kind; a target
 * without `statuses` hears the kind's defaults; `kinds` limits a target to some kinds.
 */
export function routeResources(
  transitions: readonly ResourceTransition[],
  targets: readonly ResourceRoutableTarget[],
  opts: RouteOptions,
): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  if (transitions.length === 0) return out;
  const patterns = new Map(targets.map((t) => [t, t.jobNamePattern === undefined ? undefined : compileJobNamePattern(t.jobNamePattern)]));
  for (const t of transitions) {
    const kind = KINDS[t.snapshot.kind];
    if (t.kind === 'first_seen' && statusClass(kind, t.to) !== 'inProgress' && !opts.notifyOnFirstSeenTerminal) continue;
    const event = resourceEvent(t);
    for (const target of targets) {
      if (target.kinds !== undefined && !target.kinds.includes(kind.kind)) continue;
      if (target.collaborationIds !== undefined && target.collaborationIds.length > 0) {
        const c = t.snapshot.parents.collaborationId;
        if (c === undefined || !target.collaborationIds.includes(c)) continue;
      }
      const re = patterns.get(target);
      if (target.jobNamePattern !== undefined && re !== undefined && !re.test(t.snapshot.name)) continue;
      if (target.everyTransition !== true) {
        const status = t.kind === 'vanished' ? VANISHED : t.to;
        if (!(target.statuses ?? defaultNotifyStatuses(kind)).includes(status)) continue;
      }
      out.push({
        id: eventId(t.id, t.to, t.snapshot.updateTime, target.name),
        target: target.name,
        event,
        createdAt: opts.now,
        attempts: 0,
        nextAttemptAt: opts.now,
      });
    }
  }
  return out;
}
