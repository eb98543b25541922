// The decisions a sweep takes between its IO steps, pure: whether resources held back are still
// failing, what a Get's answer stands for, and when each resource is next due.
import type { ResourceSnapshot } from '../kinds/resource.js';
import { resourceDueAt, scopeDueAt, type ScheduleParams } from './due.js';
import { mineOf } from './owner.js';
import { coveringSource, parentIndex, type ResourceRef } from './plan.js';
import type { SweepSpec } from './spec.js';
import type { ResourceRuntime } from './tracker.js';

/** What the tracker knows of a resource (undefined: nothing yet). */
export type RuntimeOf = (id: string) => ResourceRuntime | undefined;

/**
 * Is one of the resources held back still failing? One held back by its backoff after throttling,
 * 5xx or network errors is: a sweep that made no call because everything is backing off is not a
 * success (readiness).
 */
export function stillFailing(notDue: readonly string[], runtimeOf: RuntimeOf): boolean {
  return notDue.some((id) => {
    const rt = runtimeOf(id);
    return (rt?.consecutiveFailures ?? 0) > 0 && (rt?.lastError?.outcome === 'throttled' || rt?.lastError?.outcome === 'error');
  });
}

/**
 * What a Get's answer stands for. A trained model read without a version is answered with its
 * latest one. For a static entry without versionIdentifier that is what was asked (it follows the
 * latest version); for a listed version without an identifier (the first one, once others exist)
 * the Get cannot name it, so its List item (or what is stored of it) is all there is to know: kept
 * as its full view, so the backfill does not ask again every sweep. Versions share their model's
 * ARN, and AWS tags belong to the ARN: the latest version's tags are this one's too (read now, so
 * its tag refresh is not asked again every sweep). undefined: nothing to record.
 */
export function getAnswer(
  ref: Pick<ResourceRef, 'id'>,
  got: ResourceSnapshot,
  known: { listed: ReadonlyMap<string, ResourceSnapshot>; stored: ReadonlyMap<string, ResourceSnapshot> },
  isStatic: boolean,
): ResourceSnapshot | undefined {
  if (got.id === ref.id) return got;
  if (isStatic) return { ...got, id: ref.id };
  const item = known.listed.get(ref.id) ?? known.stored.get(ref.id);
  if (!item) return undefined;
  if (got.tags === undefined) return { ...item, detail: 'full' };
  const { tagsReadAt: _r, tagsFrom: _f, ...rest } = item;
  return { ...rest, detail: 'full', tags: got.tags };
}

export interface DueTimesInput {
  spec: Pick<SweepSpec, 'sources' | 'statics' | 'staticIds' | 'shard'>;
  /** The stored resources after the sweep. */
  known: ReadonlyMap<string, ResourceSnapshot>;
  /** The static resources each List of statics stands for (by List key). */
  members: ReadonlyMap<string, readonly ResourceSnapshot[]>;
  scopeLastListedAt: (key: string) => number | undefined;
  runtimeOf: RuntimeOf;
}

/** When each stored (and each configured, never seen) resource is next due. */
export function dueTimes(input: DueTimesInput, sched: ScheduleParams): Map<string, number> {
  const { spec, known, runtimeOf } = input;
  const listDue = new Map<string, number>();
  for (const [key, ms] of input.members) {
    const dueAt = scopeDueAt(ms, input.scopeLastListedAt(key), sched);
    for (const m of ms) listDue.set(m.id, dueAt);
  }
  const parentArns = parentIndex(known, mineOf({ sources: spec.sources, staticIds: spec.staticIds, shard: spec.shard }, known));
  const due = new Map<string, number>();
  const dueOf = (id: string, s: ResourceSnapshot | undefined): number => {
    const rt = runtimeOf(id);
    const covered = s !== undefined && !spec.statics.has(id) && coveringSource(s, spec.sources, parentArns) !== undefined;
    const viaList = listDue.get(id);
    return resourceDueAt(
      {
        job: s,
        coverage: covered ? 'discovery' : viaList !== undefined ? 'scope' : 'get',
        ...(viaList !== undefined ? { scopeDueAt: viaList } : {}),
        lastCheckedAt: rt?.lastCheckedAt,
        consecutiveFailures: rt?.consecutiveFailures ?? 0,
        lastFailureAt: rt?.lastError?.at,
        backoffMs: rt?.backoffMs ?? 0,
      },
      sched,
    );
  };
  for (const [id, s] of known) due.set(id, dueOf(id, s));
  for (const id of spec.statics.keys()) if (!known.has(id)) due.set(id, dueOf(id, undefined));
  return due;
}
