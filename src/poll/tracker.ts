// Per-job runtime facts that are not worth persisting: when each job was last checked, how, its
// last error, its backoff and when it is next due. Feeds /api/jobs, the logs and the schedule;
// rebuilt naturally after a restart (everything is due on the first sweep).
import type { ApiOutcome } from '../aws/api.js';
import type { ResourceFacts } from './cover.js';

export interface JobRuntime {
  lastCheckedAt?: number;
  lastCheckedVia?: 'list' | 'get';
  consecutiveFailures: number;
  lastError?: { outcome: ApiOutcome; message: string; at: number };
  /** Backoff of the current failure streak (drawn once per failure, jittered). */
  backoffMs: number;
  /** Earliest time the job is worth checking again (0: the next sweep). */
  dueAt: number;
}

export class JobTracker {
  private readonly jobs = new Map<string, JobRuntime>();
  private readonly scopes = new Map<string, number>();
  private readonly precision = new Map<string, number>();
  private readonly elsewhere = new Map<string, ResourceFacts>();

  private entry(arn: string): JobRuntime {
    let e = this.jobs.get(arn);
    if (!e) {
      e = { consecutiveFailures: 0, backoffMs: 0, dueAt: 0 };
      this.jobs.set(arn, e);
    }
    return e;
  }

  checked(arn: string, at: number, via: 'list' | 'get'): void {
    const e = this.entry(arn);
    e.lastCheckedAt = at;
    e.lastCheckedVia = via;
    e.consecutiveFailures = 0;
    e.backoffMs = 0;
  }

  failed(arn: string, at: number, outcome: ApiOutcome, message: string, backoffMs = 0): void {
    const e = this.entry(arn);
    e.consecutiveFailures++;
    e.lastError = { outcome, message, at };
    e.backoffMs = backoffMs;
  }

  setDue(arn: string, dueAt: number): void {
    this.entry(arn).dueAt = dueAt;
  }

  scopeListed(key: string, at: number): void {
    this.scopes.set(key, at);
  }

  scopeLastListedAt(key: string): number | undefined {
    return this.scopes.get(key);
  }

  /** Keep the List scopes in `keys` only (the Lists of the current sweep); forget the rest. */
  retainScopes(keys: ReadonlySet<string>): void {
    for (const k of this.scopes.keys()) if (!keys.has(k)) this.scopes.delete(k);
  }

  /**
   * The precision (ms) a List operation writes its times in: the finest `observed` so far (a page
   * of whole seconds may be chance; one millisecond value settles it). Unknown yet: 1.
   */
  timePrecision(operation: string, observed?: number): number {
    const had = this.precision.get(operation);
    if (observed === undefined) return had ?? 1;
    const p = had === undefined ? observed : Math.min(had, observed);
    this.precision.set(operation, p);
    return p;
  }

  /** A static resource read here whose facts show another shard's discovery List covers it. */
  seenElsewhere(id: string, facts: ResourceFacts): void {
    const { kind, view, parents, arn } = facts;
    this.elsewhere.set(id, { id, kind, view, parents, ...(arn !== undefined ? { arn } : {}) });
  }

  staticsSeenElsewhere(): ReadonlyMap<string, ResourceFacts> {
    return this.elsewhere;
  }

  forget(arn: string): void {
    this.jobs.delete(arn);
  }

  /** Keep the runtime facts of the resources `keep` names only (stored, configured or listed). */
  retainJobs(keep: (id: string) => boolean): void {
    for (const id of this.jobs.keys()) if (!keep(id)) this.jobs.delete(id);
    for (const id of this.elsewhere.keys()) if (!keep(id)) this.elsewhere.delete(id);
  }

  /** How many List scopes and resources it holds (tests: nothing grows without bound). */
  size(): { scopes: number; jobs: number } {
    return { scopes: this.scopes.size, jobs: this.jobs.size };
  }

  get(arn: string): JobRuntime | undefined {
    return this.jobs.get(arn);
  }

  /** ARNs with a runtime entry (including configured jobs never seen, e.g. a 404 static ARN). */
  arns(): IterableIterator<string> {
    return this.jobs.keys();
  }
}
