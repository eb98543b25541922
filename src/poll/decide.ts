// The pure decision of a sweep: from the last-seen state and what the Lists and Gets observed,
// what to store, what to remove, what to enqueue, and what to report. Only complete answers
// decide: a job whose Get failed in a way a later sweep may fix is left exactly as it was.
import { stampStatusSince, type JobSnapshot, type OutboxEntry, type Transition } from '../domain.js';
import type { ApiOutcome } from '../aws/types.js';
import { diff } from '../diff.js';
import type { ResourceTransition } from '../kinds/event.js';
import { route, type RoutableTarget } from '../notify/route.js';
import { resourceFromJob } from '../state/legacy-job.js';

/** The answer to one Get: the job, or the classified error after all retries. */
export type Fetched = { arn: string; job: JobSnapshot } | { arn: string; error: { outcome: ApiOutcome; retryable: boolean } };

export interface Observed {
  /** Jobs first seen through a List summary and adopted without a Get (backfilled later). */
  adopted: readonly JobSnapshot[];
  /** The Gets' answers. */
  fetched: readonly Fetched[];
  /** List summaries: the view of a job whose Get is refused for good (e.g. AccessDenied on Get only). */
  summaries: ReadonlyMap<string, JobSnapshot>;
  /** Known jobs to drop without a notification (no longer watched, or past their retention). */
  forget: readonly string[];
  /** The metric backfill: its retryable failures do not fail the sweep (later sweeps catch up). */
  backfill: boolean;
}

export interface Targets {
  targets: readonly RoutableTarget[];
  notifyOnFirstSeenTerminal: boolean;
}

export interface Decision {
  upsert: JobSnapshot[];
  remove: string[];
  enqueue: OutboxEntry[];
  transitions: Transition[];
  /** Gets that failed, and configured jobs AWS does not know (a job seen before that answers 404 vanished: not an error). */
  jobErrors: number;
  /** A Get of the main pass failed in a way the next sweep may fix: the sweep is not ok. */
  retryableFailure: boolean;
}

function sameSnapshot(a: JobSnapshot, b: JobSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function decide(before: ReadonlyMap<string, JobSnapshot>, observed: Observed, t: Targets, now: number): Decision {
  // What each job looks like now; undefined: AWS answered 404.
  const next = new Map<string, JobSnapshot | undefined>();
  for (const s of observed.adopted) next.set(s.arn, s);
  let jobErrors = 0;
  let retryableFailure = false;
  for (const f of observed.fetched) {
    if ('job' in f) {
      next.set(f.arn, f.job);
      continue;
    }
    if (f.error.outcome === 'not_found') {
      next.set(f.arn, undefined);
      if (!before.has(f.arn)) jobErrors++;
      continue;
    }
    jobErrors++;
    if (f.error.retryable) {
      if (!observed.backfill) retryableFailure = true;
      continue;
    }
    const summary = observed.summaries.get(f.arn);
    if (summary) next.set(f.arn, summary);
  }

  const transitions: Transition[] = [];
  const upsert: JobSnapshot[] = [];
  const remove: string[] = [...observed.forget];
  for (const [arn, observedSnap] of next) {
    const prev = before.get(arn);
    // When the current status began survives every snapshot that keeps the status.
    const snap = observedSnap && stampStatusSince(prev, observedSnap);
    transitions.push(...diff(prev, snap, now));
    if (snap === undefined) {
      if (prev) remove.push(arn);
    } else if (!prev || (snap.updateTime >= prev.updateTime && !sameSnapshot(prev, snap))) {
      upsert.push(snap);
    }
  }
  // bridge: removed when the sweep stores every kind as a ResourceSnapshot
  const routable = transitions.map(
    (x): ResourceTransition => ({
      kind: x.kind,
      id: x.arn,
      from: x.from,
      to: x.to,
      observedAt: x.observedAt,
      snapshot: resourceFromJob(x.snapshot),
    }),
  );
  const enqueue = route(routable, t.targets, { notifyOnFirstSeenTerminal: t.notifyOnFirstSeenTerminal, now });
  return { upsert, remove, enqueue, transitions, jobErrors, retryableFailure };
}
