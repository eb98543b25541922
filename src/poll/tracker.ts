// Per-resource runtime facts that are not worth persisting: when each resource was last checked,
// how, its last error, its backoff and when it is next due. Feeds /api/resources, the logs and the
// schedule; rebuilt naturally after a restart (everything is due on the first sweep).
import type { ApiOutcome } from '../aws/api.js';
import type { ResourceFacts } from './cover.js';

export interface ResourceRuntime {
  lastCheckedAt?: number;
  lastCheckedVia?: 'list' | 'get';
  consecutiveFailures: number;
  lastError?: { outcome: ApiOutcome; message: string; at: number };
  /** Backoff of the current failure streak (drawn once per failure, jittered). */
  backoffMs: number;
  /** Earliest time the resource is worth checking again (0: the next sweep). */
  dueAt: number;
}

export class ResourceTracker {
  private readonly resources = new Map<string, ResourceRuntime>();
  private readonly scopes = new Map<string, number>();
  private readonly precision = new Map<string, number>();
  private readonly elsewhere = new Map<string, ResourceFacts>();

  private entry(id: string): ResourceRuntime {
    let e = this.resources.get(id);
    if (!e) {
      e = { consecutiveFailures: 0, backoffMs: 0, dueAt: 0 };
      this.resources.set(id, e);
    }
    return e;
  }

  checked(id: string, at: number, via: 'list' | 'get'): void {
    const e = this.entry(id);
    e.lastCheckedAt = at;
    e.lastCheckedVia = via;
    e.consecutiveFailures = 0;
    e.backoffMs = 0;
  }

  failed(id: string, at: number, outcome: ApiOutcome, message: string, backoffMs = 0): void {
    const e = this.entry(id);
    e.consecutiveFailures++;
    e.lastError = { outcome, message, at };
    e.backoffMs = backoffMs;
  }

  setDue(id: string, dueAt: number): void {
    this.entry(id).dueAt = dueAt;
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

  forget(id: string): void {
    this.resources.delete(id);
  }

  /** Keep the runtime facts of the resources `keep` names only (stored, configured or listed). */
  retainResources(keep: (id: string) => boolean): void {
    for (const id of this.resources.keys()) if (!keep(id)) this.resources.delete(id);
    for (const id of this.elsewhere.keys()) if (!keep(id)) this.elsewhere.delete(id);
  }

  /** How many List scopes and resources it holds (tests: nothing grows without bound). */
  size(): { scopes: number; resources: number } {
    return { scopes: this.scopes.size, resources: this.resources.size };
  }

  get(id: string): ResourceRuntime | undefined {
    return this.resources.get(id);
  }

  /** Ids with a runtime entry (including configured resources never seen, e.g. a 404 static ARN). */
  ids(): IterableIterator<string> {
    return this.resources.keys();
  }
}
