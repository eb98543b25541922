// Pure: which targets hear about which transitions. Runs inside the sweep, before the durable commit,
// so its output is persisted together with the snapshots that caused it. One path for every kind:
// what a status means (at rest or under way, success or failure) is its class (src/kinds/statuses.ts),
// the same for a value the model lists and for one AWS added since.
import type { OutboxEntry } from '../state/types.js';
import type { NotificationTarget } from '../config/schema.js';
import { VANISHED } from '../domain.js';
import type { ResourceEvent, ResourceTransition } from '../kinds/event.js';
import { DEFAULT_NOTIFY_CLASSES, KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import { sinceOf } from '../kinds/history.js';
import { eventId } from './event-id.js';
import { compileJobNamePattern } from '../config/job-name-pattern.js';
import { takeByTags, type TagRoutable } from './tag-route.js';

/**
 * Optional per-target filters. Read as optional so this compiles before the schema
 * declares them; absent means "no filter".
 */
export interface TargetFilters {
  /** JS regular expression matched against the WHOLE resource name (anchored, like Alertmanager's `=~`). */
  jobNamePattern?: string;
  /** Only resources of these collaborations. A resource whose collaborationId is unknown does not match. */
  collaborationIds?: readonly string[];
  /** Every transition: any status change, first sight of a resource at work, vanished, metrics appearing. */
  everyTransition?: boolean;
  /** Only resources of these kinds; absent: every kind. */
  kinds?: readonly KindName[];
  /** false: no `<kind>.slower_than_usual` events; absent or true: every one (whatever `statuses` says). */
  slowerThanUsual?: boolean;
}

/** The tag routing of a target (tag-route.ts): a selector, or fallback. */
export type TargetTagFilters = TagRoutable;

/**
 * A target as routing reads it: `statuses` lists status words and classes (success, failure,
 * inProgress, other); absent means the default classes (src/kinds DEFAULT_NOTIFY_CLASSES).
 */
export type RoutableTarget = Pick<NotificationTarget, 'name'> & { statuses?: readonly string[] | undefined } & TargetFilters &
  TargetTagFilters;

/** An outbox entry as routing makes it: its event is about a resource of any kind. */
export type RoutedEntry = OutboxEntry & { event: ResourceEvent };

export interface RouteOptions {
  notifyOnFirstSeenTerminal: boolean;
  now: number;
}

/** The notification event of a transition: type `<kind snake>.status_changed`, or `.slower_than_usual`. */
export function resourceEvent(t: ResourceTransition): ResourceEvent {
  const kind = KINDS[t.snapshot.kind];
  return {
    type: `${kind.snake}.${t.kind === 'slower_than_usual' ? 'slower_than_usual' : 'status_changed'}`,
    kind: kind.kind,
    transition: t.kind,
    arn: t.id,
    name: t.snapshot.name,
    previousStatus: t.from,
    status: t.to,
    updateTime: t.snapshot.updateTime,
    observedAt: t.observedAt,
    resource: t.snapshot,
    ...(t.durationSeconds !== undefined ? { durationSeconds: t.durationSeconds } : {}),
    ...(t.inStatusSeconds !== undefined ? { inStatusSeconds: t.inStatusSeconds } : {}),
    ...(t.usual ? { usual: t.usual } : {}),
    ...(t.history ? { history: t.history } : {}),
  };
}

/**
 * Fans transitions out to targets, one OutboxEntry per (transition, target).
 *
 * Rules:
 * - status_changed / vanished: notified when the target's `statuses` (default: success and
 *   failure) names the new status or its class; VANISHED is no class, it is heard only by name.
 * - first_seen of a resource at rest (any status class but inProgress: ACTIVE, a failure,
 *   INACTIVE, CANCELLED): old news (it finished before the monitor looked, or the state was lost), so only
 *   with notifyOnFirstSeenTerminal. first_seen of a resource at work notifies targets listing that status.
 * - metrics_appeared: the status did not change, so it is not a status event; only `everyTransition`
 *   targets receive it. Its id hashes status `<status>#metrics` so it never collides with the
 *   status event of the same updateTime.
 * - slower_than_usual: every target but those with `slowerThanUsual: false`, whatever `statuses`
 *   says (it is not a status); its id hashes `<status>#slower` and when the status began, so it is
 *   one event per resource and phase.
 * - everyTransition: every transition, whatever `statuses` says (first sight at rest still gated).
 * - Filters: `kinds`, `collaborationIds` (the resource's collaboration), `jobNamePattern` (its name).
 * - Tags, among the targets the rules above let through (tag-route.ts): a target with `tags` takes
 *   the event when the resource's tags match; a `fallback` target only when none of those took it.
 *
 * The id is eventId(resource id, status, updateTime, target): the same transition always gets the
 * same id, whoever derives it and whenever, so receivers can deduplicate redeliveries.
 */
export function route(transitions: readonly ResourceTransition[], targets: readonly RoutableTarget[], opts: RouteOptions): RoutedEntry[] {
  const out: RoutedEntry[] = [];
  if (transitions.length === 0) return out;
  const patterns = new Map(targets.map((t) => [t, t.jobNamePattern === undefined ? undefined : compileJobNamePattern(t.jobNamePattern)]));
  for (const t of transitions) {
    if (t.kind === 'first_seen' && statusClass(t.to) !== 'inProgress' && !opts.notifyOnFirstSeenTerminal) continue;
    const event = resourceEvent(t);
    const slower = t.kind === 'slower_than_usual';
    const idStatus = t.kind === 'metrics_appeared' ? `${t.to}#metrics` : slower ? `${t.to}#slower` : t.to;
    const idTime = slower ? sinceOf(t.snapshot) : t.snapshot.updateTime;
    const candidates = targets.filter(
      (target) => matchesFilters(target, t, patterns.get(target)) && (slower ? target.slowerThanUsual !== false : wantsStatus(target, t)),
    );
    for (const target of takeByTags(candidates, t.snapshot.tags)) {
      out.push({
        id: eventId(t.id, idStatus, idTime, target.name),
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

function wantsStatus(target: RoutableTarget, t: ResourceTransition): boolean {
  if (target.everyTransition === true) return true;
  if (t.kind === 'metrics_appeared') return false;
  const wanted: readonly string[] = target.statuses ?? DEFAULT_NOTIFY_CLASSES;
  if (t.kind === 'vanished') return wanted.includes(VANISHED);
  return wanted.includes(t.to) || wanted.includes(statusClass(t.to));
}

function matchesFilters(target: RoutableTarget, t: ResourceTransition, re: RegExp | undefined): boolean {
  if (target.kinds !== undefined && !target.kinds.includes(t.snapshot.kind)) return false;
  if (target.collaborationIds !== undefined && target.collaborationIds.length > 0) {
    const c = t.snapshot.parents.collaborationId;
    if (c === undefined || !target.collaborationIds.includes(c)) return false;
  }
  // Fail open on an invalid pattern (the schema should have refused it): a spurious message is
  // better than a silently missing "your job failed".
  if (target.jobNamePattern !== undefined && re !== undefined && !re.test(t.snapshot.name)) return false;
  return true;
}
