// The composition root: builds the real dependencies from a Config and wires them, in pipeline
// order (state -> metrics -> what to watch -> clients -> poller -> outbox -> schedule -> HTTP). No
// rules of its own: those live in pure functions (spec, budget, reload). `run` uses createApp;
// `once` and `outbox` use the same pieces (pollerRuntime, openState), so every verb reads each resource
// through the same identity and region. Every dependency can be replaced through AppOptions.
import { Registry } from 'prom-client';
import type { Clock } from './domain.js';
import type { Config } from './config/schema.js';
import { scheduleIntervalMs } from './config/schedule.js';
import { loadConfig, secretFilesOf } from './config/load.js';
import { watchFiles, type FileWatch } from './config/watch-files.js';
import { reloadChanges } from './config/reload.js';
import { createReloadQueue, type ReloadQueue } from './config/reload-queue.js';
import type { Logger } from './log.js';
import { createLogger } from './log.js';
import { createSteadyClock, systemClock } from './clock.js';
import { createResourceClient, type ResourceClient } from './aws/resource-client.js';
import { credentialsFor, type ConnSpec } from './aws/connections.js';
import { createAwsAgents } from './aws/http.js';
import type { AnswerObserver, ApiOutcome, AwsCredentialIdentityProvider, Operation } from './aws/api.js';
import { createAnswerIssueLog } from './aws/answer-issue-log.js';
import { openStateStore, type FileStateStore, type StoreOptions } from './state/store.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { createDurationMetrics, type DurationMetrics } from './metrics/duration-metrics.js';
import { ResourceTracker } from './poll/tracker.js';
import type { SweepReport } from './poll/sweep.js';
import { sweepSpec, type SweepSpec } from './poll/spec.js';
import { createConnections } from './poll/connections.js';
import { createPoller, type Poller, type PollerRuntime } from './poll/poller.js';
import { layoutFile } from './poll/layout-file.js';
import type { Shard } from './poll/shard.js';
import { shardPhaseMs, startScheduler, type Scheduler } from './poll/scheduler.js';
import { createOutboxWorker, type OutboxWorker } from './notify/outbox.js';
import type { send as sendFn } from './notify/send.js';
import { readiness } from './http/readiness.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { jobsView, outboxView } from './http/views.js';
import { resourceDetailView, resourceList, type ResourceListInput } from './http/resource-view.js';
import { viewExtras } from './http/view-extras.js';
import { VERSION } from './version.js';
import { proxySummary } from './net/proxy-env.js';

export interface AppOptions {
  config: Config;
  /** The file the config came from: SIGHUP re-reads it. */
  configPath?: string;
  clock?: Clock;
  log?: Logger;
  registry?: Registry;
  /** Replaces the real Clean Rooms ML client of every kind (tests). */
  resources?: ResourceClient;
  /** Credentials for the real client (default: the AWS SDK's Node.js provider chain). */
  credentials?: AwsCredentialIdentityProvider;
  /** Replaces the notification HTTP path (tests only). */
  send?: typeof sendFn;
  /** Gets per sweep for first sight and metric backfill (default: the spare rate of one interval). */
  detailBudget?: number;
  /** This replica's shard (from --shard / the pod ordinal); absent: every resource. */
  shard?: Shard;
  /** Jitter source of the per-resource backoff (tests). */
  random?: () => number;
  /** Backoff bounds of AWS retries (tests shorten them). */
  retryDelayMs?: { min: number; max: number };
  /** Outbox worker tuning (tests shorten delays). */
  outbox?: { baseDelayMs?: number; maxDelayMs?: number; maxAttempts?: number; maxAgeMs?: number };
  /** State store tuning (tests shrink the journal thresholds and the checkpoint retry pace). */
  state?: StateTuning;
  /** Start sweeping at start() (default true). */
  schedule?: boolean;
  /** Called when the app cannot go on (another monitor took the state dir): the caller exits non-zero. */
  onFatal?: (err: Error) => void;
  /** How often `<key>File` secrets are checked for a rotation (default 10 s; needs configPath). */
  secretPollMs?: number;
}

export interface App {
  /** The config in force (changes on reload). */
  readonly config: Config;
  /**
   * Re-read the config file (or apply `next`); an invalid config is refused and the old one kept.
   * One reload at a time: a request during one is folded into one more (the last request wins),
   * and resolves with that reload's result; false once stop() has begun.
   */
  reload(next?: Config): Promise<boolean>;
  readonly store: FileStateStore;
  readonly registry: Registry;
  readonly metrics: Metrics;
  /** Base URL of the HTTP server. */
  readonly url: string;
  /** Base URL of the admin listener (JSON API), '' when disabled or not started. */
  readonly adminUrl: string;
  start(): Promise<void>;
  /** Run one sweep now (skipped and undefined if one is running). */
  sweepNow(): Promise<SweepReport | undefined>;
  stop(): Promise<void>;
}

/** Upper bounds of a clean shutdown: the whole must fit in Kubernetes' and our 10 s promise. */
const STOP_SWEEP_MS = 4_000;
const STOP_OUTBOX_MS = 3_000;

/** How the clients of every verb are made. */
export interface ClientOptions {
  clock: Clock;
  /** Replaces every real Clean Rooms ML client of every kind (tests). */
  resources?: ResourceClient;
  /** Base identity (default: the AWS SDK's Node.js provider chain). */
  credentials?: AwsCredentialIdentityProvider;
  /** Sees every API call's outcome (metrics). */
  observer?: (operation: Operation, outcome: ApiOutcome, durationMs: number) => void;
  /** Hears of each request sent again on another connection after a kept-alive one was reset. */
  onResend?: (operation: Operation) => void;
  /** Hears of answer values outside the model's ranges and of refused List items (log once, count). */
  onAnswerIssue?: AnswerObserver;
}

/** What a sweep reads under config `c`: the spec, a client per identity, the knobs. */
export function pollerRuntime(c: Config, spec: SweepSpec, o: ClientOptions): PollerRuntime {
  // One pool of kept-alive connections for every identity of this config and its STS calls.
  const agents = createAwsAgents(c.polling.concurrency);
  const client = (conn: ConnSpec): ResourceClient =>
    o.resources ??
    createResourceClient({
      region: conn.region,
      ...(c.aws.endpoint ? { endpoint: c.aws.endpoint } : {}),
      ...(conn.roleArn || o.credentials ? { credentials: credentialsFor(conn, agents, o.credentials) } : {}),
      agents,
      requestTimeoutMs: c.aws.requestTimeoutMs,
      ...(o.observer ? { observer: o.observer } : {}),
      ...(o.onResend ? { onResend: o.onResend } : {}),
      ...(o.onAnswerIssue ? { onAnswerIssue: o.onAnswerIssue } : {}),
    });
  return {
    spec,
    connections: createConnections(spec, { client, maxRequestsPerSecond: c.polling.maxRequestsPerSecond, clock: o.clock }),
    concurrency: c.polling.concurrency,
    maxAttempts: c.aws.maxAttempts,
    maxListPages: c.polling.maxListPages,
    intervalMs: scheduleIntervalMs(c.polling.schedule),
  };
}

/** Journal thresholds and checkpoint retry pace of the state store (defaults in src/state/store.ts). */
export type StateTuning = Pick<StoreOptions, 'compactBytes' | 'maxJournalBytes' | 'checkpointRetryMs'>;

/** The state dir of config `c` (locked: one monitor, or one `outbox` command, at a time). */
export function openState(
  c: Config,
  o: {
    clock: Clock;
    log: Logger;
    onWriteError?: (err: Error) => void;
    onCheckpointError?: (err: Error) => void;
    onLockLost?: (err: Error) => void;
  } & StateTuning,
): Promise<FileStateStore> {
  return openStateStore({ dir: c.state.dir, ...o });
}

/** Everything createApp wires, shared by the steps below; `config`, `rt`, `scheduler`, `http` change. */
interface AppContext {
  opts: AppOptions;
  log: Logger;
  /** Scheduling, backoff and ages: immune to wall-clock steps. */
  clock: Clock;
  /** webhook-timestamp headers: receivers compare them with their own clock. */
  wallClock: Clock;
  store: FileStateStore;
  registry: Registry;
  metrics: Metrics;
  durationMetrics: DurationMetrics;
  answerIssues: AnswerObserver;
  tracker: ResourceTracker;
  /** The config in force (reload changes it). */
  config: Config;
  /** What to watch, through which clients, and the outbox worker of the targets: rebuilt on reload. */
  rt: PollerRuntime & { worker: OutboxWorker };
  poller: Poller;
  scheduler: Scheduler | undefined;
  http: RunningHttpServer | undefined;
  secretWatch: FileWatch | undefined;
  reloads: ReloadQueue<Config | undefined>;
}

export async function createApp(opts: AppOptions): Promise<App> {
  // 1. Logging and time.
  const log = opts.log ?? createLogger({ level: opts.config.log.level });
  const clock =
    opts.clock ?? createSteadyClock({ onReanchor: (skewMs) => log.warn({ skewMs }, 'wall clock differed for 15 min; adopting it') });
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-env.ts): a malformed proxy URL stops here.
  const proxies = proxySummary(process.env);
  // 2. State. 3. Metrics, read from the state at scrape time.
  const { store, stateCounts } = await openAppState(opts, log, clock);
  const ctx = { opts, log, clock, wallClock: opts.clock ?? systemClock, store, config: opts.config } as AppContext;
  createAppMetrics(ctx, stateCounts);
  // 4. What to watch and the outbox worker. Answer issues are logged once per resource and member
  // for the life of the process, across reloads.
  const answerLog = log.child({ component: 'poll' });
  ctx.answerIssues = createAnswerIssueLog({
    warn: (fields, msg) => answerLog.warn(fields, msg),
    count: (issue) => ctx.metrics.answerIssue(issue),
  });
  ctx.rt = runtimeOf(ctx, ctx.config);
  ctx.metrics.setPollInterval(ctx.rt.intervalMs);
  ctx.metrics.configReload(true, clock.now());
  // 5. The poller, with the per-resource runtime facts it keeps. 6. The schedule and 7. HTTP: start().
  ctx.tracker = new ResourceTracker();
  ctx.poller = createAppPoller(ctx);
  ctx.reloads = createReloadQueue<Config | undefined>((next) => guardedReload(ctx, next));
  const reload = (next?: Config): Promise<boolean> => ctx.reloads.request(next);
  return {
    store,
    registry: ctx.registry,
    metrics: ctx.metrics,
    get url() {
      return ctx.http?.url ?? '';
    },
    get adminUrl() {
      return ctx.http?.adminUrl ?? '';
    },
    get config() {
      return ctx.config;
    },
    reload,
    start: () => startApp(ctx, reload, proxies),
    async sweepNow() {
      if (ctx.scheduler) return (await ctx.scheduler.trigger()) ? ctx.poller.lastReport() : undefined;
      await sweep(ctx);
      return ctx.poller.lastReport();
    },
    stop: () => stopApp(ctx),
  };
}

/**
 * The state dir of the app. A record that cannot be written makes the monitor unready until a
 * write succeeds; a failed checkpoint only degrades it (src/state/health.ts). The store retries on its own.
 */
async function openAppState(
  opts: AppOptions,
  log: Logger,
  clock: Clock,
): Promise<{ store: FileStateStore; stateCounts: { writeErrors: number; checkpointFailures: number } }> {
  const stateCounts = { writeErrors: 0, checkpointFailures: 0 };
  const store = await openState(opts.config, {
    clock,
    log: log.child({ component: 'state' }),
    ...(opts.state ?? {}),
    onWriteError: (err) => {
      stateCounts.writeErrors++;
      log.error(
        { err: { code: (err as NodeJS.ErrnoException).code, message: err.message } },
        'state write failed: readiness is false until a write succeeds; nothing unrecorded is sent',
      );
    },
    onCheckpointError: () => {
      stateCounts.checkpointFailures++;
    },
    // Another monitor took the state dir over (this one was stopped past the stale time): stop.
    onLockLost: (err) => {
      log.fatal({ dir: opts.config.state.dir }, err.message);
      opts.onFatal?.(err);
    },
  });
  log.info({ ...store.loadReport, dir: opts.config.state.dir }, 'state loaded');
  return { store, stateCounts };
}

/** The metrics, read from the state and the config in force at scrape time. */
function createAppMetrics(ctx: AppContext, stateCounts: { writeErrors: number; checkpointFailures: number }): void {
  const { store, clock } = ctx;
  ctx.registry = ctx.opts.registry ?? new Registry();
  ctx.metrics = createMetrics(
    ctx.registry,
    {
      resources: () => store.resources(),
      pending: () => store.pending(),
      deadLetters: () => store.deadLetters(),
      targetNames: () => ctx.config.notifications.targets.map((t) => t.name),
      now: () => clock.now(),
      statusSeries: () => ctx.config.metrics.statusSeries,
      tagKeys: () => ctx.config.tags.keys,
      stateWriteErrors: () => stateCounts.writeErrors,
      stateCheckpointFailures: () => stateCounts.checkpointFailures,
      stateHealth: () => store.health(),
    },
    VERSION,
  );
  for (const f of store.loadReport.quarantined) ctx.metrics.stateQuarantined(f);
  ctx.durationMetrics = createDurationMetrics(ctx.registry, {
    resources: () => store.resources(),
    durations: () => store.durations(),
    settings: () => ctx.config.durations,
    now: () => clock.now(),
  });
}

/** The runtime of config `c`: its sweep spec and clients, and an outbox worker of its targets. */
function runtimeOf(ctx: AppContext, c: Config): AppContext['rt'] {
  const { opts, metrics } = ctx;
  const worker: OutboxWorker = createOutboxWorker({
    store: ctx.store,
    targets: c.notifications.targets,
    tagKeys: c.tags.keys,
    clock: ctx.clock,
    wallClock: ctx.wallClock,
    log: ctx.log.child({ component: 'notify' }),
    onOutcome: (target, outcome) => metrics.notification(target, outcome),
    onEvicted: (target, reason) => metrics.deadLetterEvicted(target, reason),
    ...(opts.send ? { send: opts.send } : {}),
    ...(opts.outbox ?? {}),
  });
  const poll = pollerRuntime(c, sweepSpec(c, opts.shard), {
    clock: ctx.clock,
    ...(opts.resources ? { resources: opts.resources } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    observer: (op, outcome, ms) => metrics.apiRequest(op, outcome, ms),
    onResend: (op) => metrics.apiResent(op),
    onAnswerIssue: ctx.answerIssues,
  });
  return { ...poll, worker };
}

/**
 * Readiness is this pod's own health (state writable); AWS and scope health are metrics
 * (src/http/readiness.ts says why).
 */
function ready(ctx: AppContext): ReturnType<typeof readiness> {
  const r = readiness({ state: ctx.store.health() });
  ctx.metrics.setReady(r.ready);
  return r;
}

function createAppPoller(ctx: AppContext): Poller {
  const { opts, metrics } = ctx;
  return createPoller({
    store: ctx.store,
    tracker: ctx.tracker,
    clock: ctx.clock,
    log: ctx.log.child({ component: 'poll' }),
    runtime: () => ctx.rt,
    ...(opts.detailBudget !== undefined ? { detailBudget: opts.detailBudget } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}),
    onCommitted: (n) => {
      ready(ctx);
      if (n > 0) ctx.rt.worker.kick();
    },
    layoutStore: layoutFile(opts.config.state.dir, ctx.log.child({ component: 'poll' })),
    onLayout: (l) => metrics.shardLayout({ layout: l.name, shard: l.index, totalShards: l.total, lists: l.lists, handover: l.handover }),
    onTransition: (t) => {
      if (t.durationSeconds !== undefined && t.from !== null) ctx.durationMetrics.phase(t.snapshot.kind, t.from, t.durationSeconds);
      // Slower than usual is no change of status: not a transition in transitions_total.
      if (t.kind === 'slower_than_usual') return;
      metrics.transition({
        kind: t.snapshot.kind,
        transition: t.kind,
        from: t.from,
        to: t.to,
        statusCode: t.snapshot.statusDetails?.statusCode,
      });
    },
  });
}

async function sweep(ctx: AppContext, signal?: AbortSignal): Promise<void> {
  const { metrics, clock } = ctx;
  const r = await ctx.poller.sweep(signal);
  metrics.sweep(r?.ok ?? false, r?.durationMs ?? 0, clock.now());
  if (r) metrics.scopes({ listed: r.listedScopes, failed: r.failedScopes, current: r.scopes, at: clock.now() });
  if (r && r.notifications > 0) ctx.rt.worker.kick();
  // The runtime in force now: a reload may have replaced it during the sweep.
  metrics.setApiRateLimit(Math.min(...ctx.rt.connections.limiters().map((l) => l.currentRate)));
  ready(ctx);
}

function schedule(ctx: AppContext, expr: string, runAtStart = true): Scheduler {
  return startScheduler({
    schedule: expr,
    runAtStart,
    maxGapMs: scheduleIntervalMs(expr),
    phaseMs: shardPhaseMs(ctx.opts.shard, scheduleIntervalMs(expr)),
    log: ctx.log.child({ component: 'poll' }),
    sweep: (signal) => sweep(ctx, signal),
    onSkip: () => {
      ctx.metrics.sweepSkipped();
      ctx.log.warn('previous sweep still running: tick skipped');
    },
  });
}

/** The views of /api/resources and the status page: the store, the poller's facts and what else is known of each resource. */
function resourceSource(ctx: AppContext) {
  const { store, tracker, clock } = ctx;
  const extrasOf = () => viewExtras(store, ctx.config.durations, clock.now());
  const viewInput = (): ResourceListInput => ({
    resources: store.resources(),
    runtime: (id) => tracker.get(id),
    runtimeIds: () => tracker.ids(),
    statics: ctx.rt.spec.statics,
    extras: extrasOf(),
    nextSweepAt: ctx.scheduler?.nextRunAt(),
    now: clock.now(),
  });
  return {
    resources: () => resourceList(viewInput()),
    resource: (id: string) => {
      const s = store.resources().get(id);
      if (!s || s.tagFiltered === true) return undefined;
      const check = {
        runtime: tracker.get(id),
        source: ctx.rt.spec.statics.has(id) ? 'static' : 'discovery',
        nextSweepAt: ctx.scheduler?.nextRunAt(),
      } as const;
      return resourceDetailView(s, check, extrasOf()(s, true), clock.now());
    },
    now: () => clock.now(),
  };
}

async function startApp(ctx: AppContext, reload: () => Promise<boolean>, proxies: ReturnType<typeof proxySummary>): Promise<void> {
  const { store, metrics, log, opts } = ctx;
  ctx.http = await startHttpServer(ctx.config.server, {
    metrics: (gzip) => metrics.exposition(gzip),
    metricsContentType: metrics.contentType,
    readiness: () => ready(ctx),
    resources: resourceSource(ctx),
    jobs: () => jobsView(store.resources(), ctx.tracker, ctx.rt.spec.statics, ctx.scheduler?.nextRunAt()),
    outbox: () => outboxView(store.pending(), store.deadLetters()),
    retryDeadLetters: (ids) => ctx.rt.worker.retryDeadLetters(ids),
    discardDeadLetters: (ids) => store.discardDeadLetters(ids),
    log: log.child({ component: 'http' }),
  });
  ctx.rt.worker.start();
  if (opts.schedule !== false) ctx.scheduler = schedule(ctx, ctx.config.polling.schedule);
  // A rotated Secret (new file content) is applied as a reload, as SIGHUP would.
  if (opts.configPath) {
    ctx.secretWatch = watchFiles({
      files: () => secretFilesOf(ctx.config),
      onChange: () => reload(),
      log: log.child({ component: 'config' }),
      ...(opts.secretPollMs ? { intervalMs: opts.secretPollMs } : {}),
    });
  }
  log.info(
    {
      listen: ctx.http.url,
      admin: ctx.http.adminUrl ?? 'disabled',
      jobs: ctx.rt.spec.statics.size,
      discovery: ctx.rt.spec.sources.length,
      targets: ctx.config.notifications.targets.map((t) => t.name),
      schedule: ctx.config.polling.schedule,
      ...proxies,
    },
    'cleanroomsml-monitor started',
  );
}

async function stopApp(ctx: AppContext): Promise<void> {
  ctx.log.info('shutting down: finishing in-flight work');
  ctx.secretWatch?.stop();
  // A reload in progress finishes first (starting nothing new); none starts after it.
  await ctx.reloads.close();
  await ctx.scheduler?.stop(STOP_SWEEP_MS);
  await ctx.rt.worker.stop(STOP_OUTBOX_MS);
  await ctx.http?.close();
  await ctx.store.close();
  ctx.log.info('stopped');
}

/** A reload that throws (nothing is expected to) is counted as refused. */
async function guardedReload(ctx: AppContext, next: Config | undefined): Promise<boolean> {
  try {
    return await applyReload(ctx, next);
  } catch (err) {
    ctx.metrics.configReload(false, ctx.clock.now());
    ctx.log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'config reload failed');
    return false;
  }
}

/**
 * Reloads run one at a time (src/config/reload-queue.ts): a SIGHUP or a rotated secret during a
 * reload is folded into one more reload of the file as it is then. Each step that starts
 * something checks that stop() has not begun, so a reload racing stop() leaves nothing running.
 */
async function applyReload(ctx: AppContext, next: Config | undefined): Promise<boolean> {
  const { metrics, log, clock, opts, reloads } = ctx;
  let c: Config;
  try {
    if (next) c = next;
    else if (opts.configPath) c = await loadConfig(opts.configPath);
    else throw new Error('no config file to reload from');
  } catch (err) {
    metrics.configReload(false, clock.now());
    log.error(
      { err: { message: (err as Error).message } },
      `config reload refused; the previous config keeps running: ${(err as Error).message}`,
    );
    return false;
  }
  if (reloads.closed) return false;
  const changes = reloadChanges(ctx.config, c);
  if (changes.logLevelChanged) log.level = c.log.level;
  // The old worker ends (its in-flight sends finish or stay pending) before the new one starts:
  // never two workers on one outbox.
  await ctx.rt.worker.stop(STOP_OUTBOX_MS);
  if (reloads.closed) return false;
  ctx.config = c;
  ctx.rt = runtimeOf(ctx, c);
  ctx.rt.worker.start();
  if (ctx.scheduler && changes.scheduleChanged) {
    await ctx.scheduler.stop(STOP_SWEEP_MS);
    // The new schedule's first tick sweeps: a reload is no reason for an extra sweep.
    ctx.scheduler = reloads.closed ? undefined : schedule(ctx, c.polling.schedule, false);
  }
  metrics.setPollInterval(ctx.rt.intervalMs);
  metrics.configReload(true, clock.now());
  const fixed = changes.needsRestart;
  log.info(
    {
      jobs: ctx.rt.spec.statics.size,
      discovery: ctx.rt.spec.sources.length,
      targets: c.notifications.targets.map((t) => t.name),
      ...(fixed.length ? { needsRestart: fixed } : {}),
      ...(reloads.folded ? { foldedRequestsSinceStart: reloads.folded } : {}),
    },
    fixed.length ? `config reloaded; ${fixed.join(' and ')} changes apply after a restart` : 'config reloaded',
  );
  return true;
}
