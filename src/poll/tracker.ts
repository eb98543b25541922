// Per-job runtime facts that are not worth persisting: when each job was last checked, how, its
// last error, its backoff and when it is next due. Feeds /api/jobs, the logs and the schedule;
// rebuilt naturally after a restart (everything is due on the first sweep).
import type { ApiOutcome } from '../aws/api.js';

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

  forget(arn: string): void {
    this.jobs.delete(arn);
  }

  get(arn: string): JobRuntime | undefined {
    return this.jobs.get(arn);
  }

  /** ARNs with a runtime entry (including configured jobs never seen, e.g. a 404 static ARN). */
  arns(): IterableIterator<string> {
    return this.jobs.keys();
  }
}
