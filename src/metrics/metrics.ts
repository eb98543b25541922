// Prometheus metrics, kube-state-metrics style: one-hot status over every status value, times as
// timestamps, static labels in _info. Resource series are built from the state store at scrape
// time, so a resource forgotten by the store disappears from /metrics with no bookkeeping.
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { DeadLetter, OutboxEntry } from '../state/types.js';
import type { EvictionReason } from '../notify/dead-letter-bounds.js';
import type { AnswerIssue, ApiOutcome, Operation } from '../aws/api.js';
import { ALL_KINDS, KINDS, statusClass } from '../kinds/index.js';
import type { KindName } from '../kinds/kind.js';
import type { StatusSeries } from './resource-families.js';
import { ResourceSeriesRenderer, type Lease } from './resource-series.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { createPieceDeflate, gzipFrame } from './gzip.js';
import { STATE_HEALTH_STATUSES, type StateHealth } from '../state/health.js';

export interface MetricsSource {
  /** Tracked resources of every kind, by id. */
  resources(): ReadonlyMap<string, ResourceSnapshot>;
  pending(): readonly OutboxEntry[];
  deadLetters(): readonly DeadLetter[];
  /** Names of the configured notification targets (so their series exist at 0). */
  targetNames(): readonly string[];
  now(): number;
  /** metrics.statusSeries in force (default nonTerminalOnly, as the config's). */
  statusSeries?(): StatusSeries;
  /** Records that could not be written to the state dir so far (a count kept by whoever sees them). */
  stateWriteErrors?(): number;
  /** Failed state checkpoints so far. */
  stateCheckpointFailures?(): number;
  /** What the state dir can do now. */
  stateHealth?(): Pick<StateHealth, 'status' | 'journalBytes' | 'journalLimitBytes'>;
}

export type NotificationOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

export interface Metrics {
  /**
   * The whole exposition for one scrape, in chunks to stream (resource series first, then
   * prom-client's); with `gzip`, the chunks are one gzip stream of that text. The chunks stay
   * valid until release(), which the caller must call once they are written (or dropped).
   */
  exposition(gzip?: boolean): Promise<Lease<Iterable<Buffer | string>>>;
  /** Content type of the exposition (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Expositions not yet released (scrapes still writing resource pieces). */
  activeScrapes(): number;
  apiRequest(operation: Operation, outcome: ApiOutcome, durationMs: number): void;
  /** A request sent again at once on another connection after a kept-alive one was reset. */
  apiResent(operation: Operation): void;
  /** A value of an answer outside the model's documented range (accepted), or a List item refused. */
  answerIssue(issue: AnswerIssue): void;
  /**
   * One recorded transition of a resource of `kind`; a change into a failure status of the kind
   * also counts in failures_total by its statusCode (never its message: free text is no label).
   */
  transition(t: { kind: KindName; transition: string; from: string | null; to: string; statusCode?: string | undefined }): void;
  notification(target: string, outcome: NotificationOutcome): void;
  /** One dead letter dropped by its target's bounds: it can no longer be re-sent. */
  deadLetterEvicted(target: string, reason: EvictionReason): void;
  sweep(ok: boolean, durationMs: number, finishedAt: number): void;
  sweepSkipped(): void;
  setReady(ready: boolean): void;
  setPollInterval(ms: number): void;
  setApiRateLimit(perSecond: number): void;
  configReload(ok: boolean, at: number): void;
  stateQuarantined(file: string): void;
  /**
   * Outcome of the List scopes of one sweep: `listed` were called (those in `failed` did not
   * complete). `current` is every scope of the config in force: series of other scopes are dropped.
   */
  scopes(s: { listed: readonly string[]; failed: readonly string[]; current: readonly string[]; at: number }): void;
  /**
   * The shard layout this pod sweeps under: `layout` names the whole assignment (the same in every
   * pod of it), `lists` the top-level Lists this pod calls, `handover` a takeover under way.
   */
  shardLayout(l: { layout: string; shard: number; totalShards: number; lists: number; handover: boolean }): void;
}

const secs = (ms: number) => ms / 1000;

export function createMetrics(registry: Registry, source: MetricsSource, version: string): Metrics {
  const registers = [registry];
  // Default process metrics, prefixed so they never collide with another exporter in the pod.
  collectDefaultMetrics({ register: registry, prefix: 'cleanroomsml_monitor_' });
  // prom-client exports a few gauges named *_total (active handles/requests/resources), which
  // `promtool check metrics` rejects ("non-counter metrics should not have _total suffix").
  for (const m of registry.getMetricsAsArray()) {
    if (m instanceof Gauge && m.name.endsWith('_total')) registry.removeSingleMetric(m.name);
  }

  // Resource series are rendered by ResourceSeriesRenderer and put in front of prom-client's
  // output (a few KB). /metrics streams the chunks; registry.metrics() still returns the whole text.
  const deflatePiece = createPieceDeflate();
  const renderer = new ResourceSeriesRenderer(deflatePiece);
  const promMetrics = registry.metrics.bind(registry);
  const exposition = async (gzip = false): Promise<Lease<Iterable<Buffer | string>>> => {
    const mode = source.statusSeries?.() ?? 'nonTerminalOnly';
    if (gzip) {
      const [resources, rest] = await Promise.all([
        renderer.gzipPieces(source.resources(), mode),
        promMetrics().then((t) => deflatePiece(Buffer.from(`\n${t}`, 'utf8'))),
      ]);
      return { value: gzipFrame([...resources, rest]), release: () => {} };
    }
    // prom-client first: the resource pieces are taken last, so they are the state of this instant.
    const rest = await promMetrics();
    const resources = renderer.plain(source.resources(), mode);
    return { value: [...resources.value, `\n${rest}`], release: resources.release };
  };
  registry.metrics = async () => {
    const { value, release } = await exposition();
    try {
      return Buffer.concat([...value].map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('utf8');
    } finally {
      release();
    }
  };

  const apiRequests = new Counter({
    name: 'cleanroomsml_monitor_api_requests_total',
    help: 'Clean Rooms ML API requests (every attempt, retries included) by operation and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: 'cleanroomsml_monitor_api_request_duration_seconds',
    help: 'Clean Rooms ML API request latency.',
    labelNames: ['operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  // Every operation of every kind exists at 0, so the first failure of one shows in rate().
  const operations = new Set(ALL_KINDS.flatMap((k) => [...Object.values(k.get).map((g) => g.name), ...k.lists.map((l) => l.name)]));
  for (const op of operations) {
    for (const o of ['success', 'throttled', 'not_found', 'access_denied', 'validation', 'error'])
      apiRequests.inc({ operation: op, outcome: o }, 0);
  }
  const resent = new Counter({
    name: 'cleanroomsml_monitor_api_requests_resent_total',
    help: 'Clean Rooms ML API requests sent again at once on another connection because the kept-alive one they went out on was reset before any answer (a server or load balancer closing idle connections; a steady rate means resets of requests it did read). Not counted as failed requests.',
    labelNames: ['operation'] as const,
    registers,
  });
  const outOfRange = new Counter({
    name: 'cleanroomsml_monitor_api_values_out_of_range_total',
    help: "Values in Clean Rooms ML API answers outside the service model's documented range or length, accepted as given; counted per answer read. member: the path in the answer, list positions as [].",
    labelNames: ['operation', 'member'] as const,
    registers,
  });
  const refusedItems = new Counter({
    name: 'cleanroomsml_monitor_api_items_refused_total',
    help: 'List items that could not be read (a member of the wrong type, a number that is not finite, a required member missing), counted per answer read; the rest of the page was read and the resource keeps its last state. member: the path in the item, list positions as [].',
    labelNames: ['operation', 'member'] as const,
    registers,
  });
  const transitions = new Counter({
    name: 'cleanroomsml_monitor_transitions_total',
    help: 'Observed status transitions by resource kind; from="none" on first sight, to="VANISHED" when a resource starts answering 404.',
    labelNames: ['kind', 'from', 'to'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'cleanroomsml_monitor_failures_total',
    help: 'Status changes into a failure status of the kind, by the statusCode AWS gave ("none" when it gave none).',
    labelNames: ['kind', 'status', 'status_code'] as const,
    registers,
  });
  const notifications = new Counter({
    name: 'cleanroomsml_monitor_notifications_total',
    help: 'Notification delivery attempts by target and outcome (delivered, retried, failed, dead_lettered).',
    labelNames: ['target', 'outcome'] as const,
    registers,
  });
  for (const t of source.targetNames()) {
    for (const o of ['delivered', 'retried', 'failed', 'dead_lettered']) notifications.inc({ target: t, outcome: o }, 0);
  }
  const evictions = new Counter({
    name: 'cleanroomsml_monitor_dead_letters_evicted_total',
    help: 'Dead letters dropped, oldest first, by target and reason: max_age (older than deadLetters.maxAgeMs) or max_count (more than deadLetters.maxCount); they can no longer be re-sent.',
    labelNames: ['target', 'reason'] as const,
    registers,
  });
  for (const t of source.targetNames()) for (const r of ['max_age', 'max_count']) evictions.inc({ target: t, reason: r }, 0);
  const byTarget = (entries: readonly OutboxEntry[]) => {
    const m = new Map<string, OutboxEntry[]>(source.targetNames().map((t) => [t, []]));
    for (const e of entries) {
      const list = m.get(e.target) ?? [];
      list.push(e);
      m.set(e.target, list);
    }
    return m;
  };
  new Gauge({
    name: 'cleanroomsml_monitor_outbox_pending',
    help: 'Notifications recorded and not yet delivered, by target.',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      for (const [t, list] of byTarget(source.pending())) this.set({ target: t }, list.length);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest undelivered notification, by target (0 when none).',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      const now = source.now();
      for (const [t, list] of byTarget(source.pending())) {
        const oldest = list.reduce((min, e) => Math.min(min, e.createdAt), Infinity);
        this.set({ target: t }, list.length === 0 ? 0 : Math.max(0, secs(now - oldest)));
      }
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_dead_letters',
    help: 'Notifications given up on (kept in the state; list and re-send with `outbox list` / `outbox retry`), by target.',
    labelNames: ['target'] as const,
    registers,
    collect() {
      this.reset();
      for (const [t, list] of byTarget(source.deadLetters())) this.set({ target: t }, list.length);
    },
  });
  // Every kind has its series, at 0 while none is tracked (alerts compare them to 0).
  const trackedByKind = (): Map<string, number> => {
    const counts = new Map<string, number>(ALL_KINDS.map((k) => [k.kind, 0]));
    for (const s of source.resources().values()) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
    return counts;
  };
  new Gauge({
    name: 'cleanroomsml_monitor_resources_tracked',
    help: 'Resources currently tracked, by kind.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, n] of trackedByKind()) this.set({ kind }, n);
    },
  });
  // The name before every kind was a resource: kept for one minor release (CHANGELOG.md).
  new Gauge({
    name: 'cleanroomsml_monitor_jobs_tracked',
    help: 'Deprecated: cleanroomsml_monitor_resources_tracked, under its former name until the next minor release.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      for (const [kind, n] of trackedByKind()) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_jobs_backfill_pending',
    help: 'Tracked resources known only from a List summary, waiting for a Get (metric backfill); kinds without a Get for their view never wait.',
    registers,
    collect() {
      let n = 0;
      for (const s of source.resources().values()) if (s.detail === 'summary' && KINDS[s.kind]?.get[s.view] !== undefined) n++;
      this.set(n);
    },
  });
  const lastPoll = new Gauge({
    name: 'cleanroomsml_monitor_last_successful_poll_timestamp_seconds',
    help: 'Unix time the last fully successful sweep finished (0 before the first).',
    registers,
  });
  lastPoll.set(0);
  const pollInterval = new Gauge({
    name: 'cleanroomsml_monitor_poll_interval_seconds',
    help: 'Interval between sweeps implied by polling.schedule.',
    registers,
  });
  const sweeps = new Counter({
    name: 'cleanroomsml_monitor_sweeps_total',
    help: 'Completed sweeps by outcome (success: every List and Get answered; failed: some AWS call failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  sweeps.inc({ outcome: 'success' }, 0);
  sweeps.inc({ outcome: 'failed' }, 0);
  const skipped = new Counter({
    name: 'cleanroomsml_monitor_sweeps_skipped_total',
    help: 'Schedule ticks skipped because the previous sweep was still running.',
    registers,
  });
  const sweepDuration = new Histogram({
    name: 'cleanroomsml_monitor_sweep_duration_seconds',
    help: 'Duration of a sweep.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });
  const ready = new Gauge({ name: 'cleanroomsml_monitor_ready', help: '1 when /readyz answers 200.', registers });
  ready.set(0);
  const rate = new Gauge({
    name: 'cleanroomsml_monitor_api_rate_limit_per_second',
    help: 'Current adaptive request rate limit towards the Clean Rooms ML API.',
    registers,
  });
  const reloadOk = new Gauge({
    name: 'cleanroomsml_monitor_config_last_reload_successful',
    help: '1 if the last configuration load or reload succeeded.',
    registers,
  });
  const reloadAt = new Gauge({
    name: 'cleanroomsml_monitor_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful configuration load or reload.',
    registers,
  });
  let writeErrorsSeen = 0;
  new Counter({
    name: 'cleanroomsml_monitor_state_write_errors_total',
    help: 'Records that could not be written to the state dir (full disk, I/O errors, journal full); nothing unrecorded is ever sent.',
    registers,
    collect() {
      // The count is kept where the writes fail (they may fail before the metrics exist).
      const n = source.stateWriteErrors?.() ?? 0;
      if (n > writeErrorsSeen) this.inc(n - writeErrorsSeen);
      writeErrorsSeen = n;
    },
  });
  let checkpointFailuresSeen = 0;
  new Counter({
    name: 'cleanroomsml_monitor_state_checkpoint_failures_total',
    help: 'Failed state checkpoints (records still go to the journal while it can be appended to).',
    registers,
    collect() {
      const n = source.stateCheckpointFailures?.() ?? 0;
      if (n > checkpointFailuresSeen) this.inc(n - checkpointFailuresSeen);
      checkpointFailuresSeen = n;
    },
  });
  // One-hot, read from the store at scrape time: ok, degraded (checkpoints fail, the journal
  // records everything) or unwritable (records cannot be written).
  new Gauge({
    name: 'cleanroomsml_monitor_state_health',
    help: '1 for what the state dir can do now: ok, degraded (checkpoints fail, journal appends work) or unwritable (records fail).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const now = source.stateHealth?.().status ?? 'ok';
      for (const s of STATE_HEALTH_STATUSES) this.set({ state: s }, s === now ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_state_journal_bytes',
    help: 'Size of the state journal; it is folded into a checkpoint as it grows, and grows while checkpoints fail.',
    registers,
    collect() {
      this.set(source.stateHealth?.().journalBytes ?? 0);
    },
  });
  new Gauge({
    name: 'cleanroomsml_monitor_state_journal_limit_bytes',
    help: 'Journal size past which new records are refused while checkpoints fail.',
    registers,
    collect() {
      this.set(source.stateHealth?.().journalLimitBytes ?? 0);
    },
  });
  const quarantined = new Counter({
    name: 'cleanroomsml_monitor_state_files_quarantined_total',
    help: 'Corrupt state files moved aside at start-up.',
    labelNames: ['file'] as const,
    registers,
  });
  // Per List scope, so one bad discovery role or scope shows (and alerts) without failing
  // readiness. The label is the List's key: `[<roleArn>@<region>|]<kind>|<List>|<param>=<value>,...`.
  const scopeUp = new Gauge({
    name: 'cleanroomsml_monitor_discovery_scope_up',
    help: '1 if the last List of this scope (all its pages) succeeded, 0 if it failed.',
    labelNames: ['scope'] as const,
    registers,
  });
  const scopeLastOk = new Gauge({
    name: 'cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds',
    help: 'Unix time the last complete List of this scope finished (0 if none has since start).',
    labelNames: ['scope'] as const,
    registers,
  });
  const scopeKeys = new Set<string>();
  const shardInfo = new Gauge({
    name: 'cleanroomsml_monitor_shard_info',
    help: 'The shard layout this pod sweeps under (1): its shard, the shard count, and a name of the whole assignment of Lists to shards, the same in every pod of one layout.',
    labelNames: ['shard', 'total_shards', 'layout'] as const,
    registers,
  });
  const shardLists = new Gauge({
    name: 'cleanroomsml_monitor_shard_lists',
    help: 'Discovery Lists (top-level; per-parent ones follow their parents) this pod calls under the shard layout.',
    registers,
  });
  const shardHandover = new Gauge({
    name: 'cleanroomsml_monitor_shard_handover',
    help: '1 while this pod takes over resources after the shard layout changed (docs/deploy.md, Sharding).',
    registers,
  });
  new Gauge({
    name: 'cleanroomsml_monitor_build_info',
    help: 'Build information; always 1.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  }).set({ version, node_version: process.version }, 1);

  return {
    exposition,
    activeScrapes: () => renderer.activeLeases,
    contentType: registry.contentType,
    apiRequest(operation, outcome, durationMs) {
      apiRequests.inc({ operation, outcome });
      apiDuration.observe({ operation }, secs(durationMs));
    },
    apiResent(operation) {
      resent.inc({ operation });
    },
    answerIssue(issue) {
      (issue.type === 'refused' ? refusedItems : outOfRange).inc({ operation: issue.operation, member: issue.field });
    },
    transition(t) {
      transitions.inc({ kind: t.kind, from: t.from ?? 'none', to: t.to });
      if (t.transition === 'status_changed' && statusClass(t.to) === 'failure') {
        failures.inc({ kind: t.kind, status: t.to, status_code: t.statusCode ?? 'none' });
      }
    },
    notification(target, outcome) {
      notifications.inc({ target, outcome });
    },
    deadLetterEvicted(target, reason) {
      evictions.inc({ target, reason });
    },
    sweep(ok, durationMs, finishedAt) {
      sweeps.inc({ outcome: ok ? 'success' : 'failed' });
      sweepDuration.observe(secs(durationMs));
      if (ok) lastPoll.set(secs(finishedAt));
    },
    sweepSkipped: () => skipped.inc(),
    setReady: (r) => ready.set(r ? 1 : 0),
    setPollInterval: (ms) => pollInterval.set(secs(ms)),
    setApiRateLimit: (r) => rate.set(r),
    configReload(ok, at) {
      reloadOk.set(ok ? 1 : 0);
      if (ok) reloadAt.set(secs(at));
    },
    stateQuarantined: (file) => quarantined.inc({ file: file.replace(/\.corrupt-.*$/, '') }),
    shardLayout(l) {
      // One series at a time: the layout in force.
      shardInfo.reset();
      shardInfo.set({ shard: String(l.shard), total_shards: String(l.totalShards), layout: l.layout }, 1);
      shardLists.set(l.lists);
      shardHandover.set(l.handover ? 1 : 0);
    },
    scopes({ listed, failed, current, at }) {
      const bad = new Set(failed);
      for (const key of listed) {
        if (!scopeKeys.has(key)) {
          scopeKeys.add(key);
          scopeLastOk.set({ scope: key }, 0);
        }
        scopeUp.set({ scope: key }, bad.has(key) ? 0 : 1);
        if (!bad.has(key)) scopeLastOk.set({ scope: key }, secs(at));
      }
      const keep = new Set(current);
      for (const key of [...scopeKeys]) {
        if (keep.has(key)) continue;
        scopeKeys.delete(key);
        scopeUp.remove({ scope: key });
        scopeLastOk.remove({ scope: key });
      }
    },
  };
}
