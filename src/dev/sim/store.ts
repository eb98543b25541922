// Jobs kept sorted by ARN, with per-collaboration and per-model indexes, so a List page costs
// O(log N + page) even on a 10,000-job fleet. Pages are cut after an ARN, which keeps
// pagination stable while jobs are added or removed between pages.
import { currentStep, type SimJob, type SimStep } from './model.js';

function lowerBound(a: readonly string[], x: string): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(a: string[], x: string): void {
  const i = lowerBound(a, x);
  if (a[i] !== x) a.splice(i, 0, x);
}

function removeSorted(a: string[] | undefined, x: string): void {
  if (!a) return;
  const i = lowerBound(a, x);
  if (a[i] === x) a.splice(i, 1);
}

export interface PageQuery {
  collaborationId?: string;
  configuredAudienceModelArn?: string;
  /** Exclusive lower bound (the last ARN of the previous page). */
  after?: string;
  limit: number;
  now: number;
}

export class JobStore {
  private readonly byArn = new Map<string, SimJob>();
  private readonly sorted: string[] = [];
  private readonly byCollab = new Map<string, string[]>();
  private readonly byModel = new Map<string, string[]>();

  get size(): number {
    return this.byArn.size;
  }

  get(arn: string): SimJob | undefined {
    return this.byArn.get(arn);
  }

  put(job: SimJob): void {
    this.delete(job.arn);
    this.byArn.set(job.arn, job);
    insertSorted(this.sorted, job.arn);
    if (job.collaborationId !== undefined) insertSorted(getOrInit(this.byCollab, job.collaborationId), job.arn);
    insertSorted(getOrInit(this.byModel, job.configuredAudienceModelArn), job.arn);
  }

  delete(arn: string): boolean {
    const old = this.byArn.get(arn);
    if (!old) return false;
    this.byArn.delete(arn);
    removeSorted(this.sorted, arn);
    if (old.collaborationId !== undefined) removeSorted(this.byCollab.get(old.collaborationId), arn);
    removeSorted(this.byModel.get(old.configuredAudienceModelArn), arn);
    return true;
  }

  clear(): void {
    this.byArn.clear();
    this.sorted.length = 0;
    this.byCollab.clear();
    this.byModel.clear();
  }

  /** All jobs in ARN order (existing or not yet started). */
  all(): SimJob[] {
    return this.sorted.map((a) => this.byArn.get(a)!);
  }

  /** One List page: matching jobs that exist at `now`, in ARN order; `more` when any follows. */
  page(q: PageQuery): { items: Array<{ job: SimJob; step: SimStep }>; more: boolean } {
    let candidates: readonly string[] = this.sorted;
    if (q.collaborationId !== undefined) candidates = this.byCollab.get(q.collaborationId) ?? [];
    if (q.configuredAudienceModelArn !== undefined) {
      const m = this.byModel.get(q.configuredAudienceModelArn) ?? [];
      if (q.collaborationId === undefined || m.length < candidates.length) candidates = m;
    }
    let i = q.after === undefined ? 0 : lowerBound(candidates, q.after);
    if (q.after !== undefined && candidates[i] === q.after) i++;
    const items: Array<{ job: SimJob; step: SimStep }> = [];
    for (; i < candidates.length; i++) {
      const job = this.byArn.get(candidates[i]!)!;
      if (q.collaborationId !== undefined && job.collaborationId !== q.collaborationId) continue;
      if (q.configuredAudienceModelArn !== undefined && job.configuredAudienceModelArn !== q.configuredAudienceModelArn) continue;
      const step = currentStep(job, q.now);
      if (!step) continue;
      if (items.length === q.limit) return { items, more: true };
      items.push({ job, step });
    }
    return { items, more: false };
  }
}

function getOrInit(m: Map<string, string[]>, k: string): string[] {
  let a = m.get(k);
  if (!a) m.set(k, (a = []));
  return a;
}
