// Per-job runtime facts that are not worth persisting: when each job was last checked, how, and
// its last error. Feeds /api/jobs and the logs; rebuilt naturally after a restart.
import type { ApiOutcome } from '../aws/types.js';

export interface JobRuntime {
  lastCheckedAt?: number;
  lastCheckedVia?: 'list' | 'get';
  consecutiveFailures: number;
  lastError?: { outcome: ApiOutcome; message: string; at: number };
}

export class JobTracker {
  private readonly jobs = new Map<string, JobRuntime>();

  private entry(arn: string): JobRuntime {
    let e = this.jobs.get(arn);
    if (!e) {
      e = { consecutiveFailures: 0 };
      this.jobs.set(arn, e);
    }
    return e;
  }

  checked(arn: string, at: number, via: 'list' | 'get'): void {
    const e = this.entry(arn);
    e.lastCheckedAt = at;
    e.lastCheckedVia = via;
    e.consecutiveFailures = 0;
  }

  failed(arn: string, at: number, outcome: ApiOutcome, message: string): void {
    const e = this.entry(arn);
    e.consecutiveFailures++;
    e.lastError = { outcome, message, at };
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
