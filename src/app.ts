// The composition root: builds the real dependencies from a Config and wires them, in pipeline
// order (state -> metrics -> what to watch -> clients -> poller -> outbox -> schedule -> HTTP). No
// rules of its own: those live in pure functions (spec, budget, reload). `run` uses createApp;
// `once` and `outbox` use the same pieces (pollerRuntime, openState), so every verb reads each job
// through the same identity and region. Every dependency can be replaced through AppOptions.
import { Registry } from 'prom-client';
import type { Clock } from './domain.js';
import type { Config } from './config/schema.js';
import { scheduleIntervalMs } from './config/schedule.js';
import { loadConfig, secretFilesOf } from './config/load.js';
import { watchFiles, type FileWatch } from './config/watch-files.js';
import { reloadChanges } from './config/reload.js';
import { createReloadQueue } from './config/reload-queue.js';
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
import { JobTracker } from './poll/tracker.js';
import type { SweepReport } from './poll/sweep.js';
import { sweepSpec, type SweepSpec } from './poll/spec.js';
import { createConnections } from './poll/connections.js';
import { createPoller, type PollerRuntime } from './poll/poller.js';
import type { Shard } from './poll/shard.js';
import { startScheduler, type Scheduler } from './poll/scheduler.js';
import { createOutboxWorker, type OutboxWorker } from './notify/outbox.js';
import type { send as sendFn } from './notify/send.js';
import { readiness } from './http/readiness.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { jobsView, outboxView } from './http/views.js';
import { resourceDetailView, resourceList, type ResourceListInput, type ViewExtras } from './http/resource-view.js';
import { createRecentTransitions } from './http/recent-transitions.js';
import type { ResourceSnapshot } from './kinds/resource.js';
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
  /** This replica's shard (from --shard / the pod ordinal); absent: every job. */
  shard?: Shard;
  /** Jitter source of the per-job backoff (tests). */
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

export async function createApp(opts: AppOptions): Promise<App> {
  // 1. Logging and time. Scheduling, backoff and ages run on a clock immune to wall-clock steps;
  // webhook-timestamp headers use the wall clock, because receivers compare them with theirs.
  const log = opts.log ?? createLogger({ level: opts.config.log.level });
  const clock =
    opts.clock ?? createSteadyClock({ onReanchor: (skewMs) => log.warn({ skewMs }, 'wall clock differed for 15 min; adopting it') });
  const wallClock = opts.clock ?? systemClock;
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-env.ts): a malformed proxy URL stops here.
  const proxies = proxySummary(process.env);

  // 2. State. A record that cannot be written makes the monitor unready until a write succeeds; a
  // failed checkpoint only degrades it (src/state/health.ts). The store retries on its own.
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

  // 3. Metrics, read from the state at scrape time; `config` is the config in force (reload changes it).
  let config = opts.config;
  const registry = opts.registry ?? new Registry();
  const metrics: Metrics = createMetrics(
    registry,
    {
      resources: () => store.resources(),
      pending: () => store.pending(),
      deadLetters: () => store.deadLetters(),
      targetNames: () => config.notifications.targets.map((t) => t.name),
      now: () => clock.now(),
      statusSeries: () => config.metrics.statusSeries,
      tagKeys: () => config.tags.keys,
      stateWriteErrors: () => stateCounts.writeErrors,
      stateCheckpointFailures: () => stateCounts.checkpointFailures,
      stateHealth: () => store.health(),
    },
    VERSION,
  );
  for (const f of store.loadReport.quarantined) metrics.stateQuarantined(f);

  // 4. What to watch, through which clients, and the outbox worker of the targets. Rebuilt on reload.
  // Answer issues are logged once per resource and member for the life of the process, across reloads.
  const answerLog = log.child({ component: 'poll' });
  const answerIssues = createAnswerIssueLog({
    warn: (fields, msg) => answerLog.warn(fields, msg),
    count: (issue) => metrics.answerIssue(issue),
  });
  const runtimeOf = (c: Config) => {
    const worker: OutboxWorker = createOutboxWorker({
      store,
      targets: c.notifications.targets,
      tagKeys: c.tags.keys,
      clock,
      wallClock,
      log: log.child({ component: 'notify' }),
      onOutcome: (target, outcome) => metrics.notification(target, outcome),
      onEvicted: (target, reason) => metrics.deadLetterEvicted(target, reason),
      ...(opts.send ? { send: opts.send } : {}),
      ...(opts.outbox ?? {}),
    });
    const poll = pollerRuntime(c, sweepSpec(c, opts.shard), {
      clock,
      ...(opts.resources ? { resources: opts.resources } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      observer: (op, outcome, ms) => metrics.apiRequest(op, outcome, ms),
      onAnswerIssue: answerIssues,
    });
    return { ...poll, worker };
  };
  let rt = runtimeOf(config);
  metrics.setPollInterval(rt.intervalMs);
  metrics.configReload(true, clock.now());

  // 5. The poller (with the per-job runtime facts it keeps). Readiness is this pod's own health
  // (state writable); AWS and scope health are metrics (src/http/readiness.ts says why).
  const tracker = new JobTracker();
  // The last status change seen of each resource, for the admin API and the status page.
  const recent = createRecentTransitions();
  const ready = () => {
    const r = readiness({ state: store.health() });
    metrics.setReady(r.ready);
    return r;
  };
  const poller = createPoller({
    store,
    tracker,
    clock,
    log: log.child({ component: 'poll' }),
    runtime: () => rt,
    ...(opts.detailBudget !== undefined ? { detailBudget: opts.detailBudget } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}),
    onCommitted: (n) => {
      ready();
      if (n > 0) rt.worker.kick();
    },
    onTransition: (t) => {
      recent.record(t);
      metrics.transition({
        kind: t.snapshot.kind,
        transition: t.kind,
        from: t.from,
        to: t.to,
        statusCode: t.snapshot.statusDetails?.statusCode,
      });
    },
  });
  const sweep = async (signal?: AbortSignal): Promise<void> => {
    const r = await poller.sweep(signal);
    metrics.sweep(r?.ok ?? false, r?.durationMs ?? 0, clock.now());
    if (r) metrics.scopes({ listed: r.listedScopes, failed: r.failedScopes, current: r.scopes, at: clock.now() });
    if (r && r.notifications > 0) rt.worker.kick();
    metrics.setApiRateLimit(Math.min(...rt.connections.limiters().map((l) => l.currentRate)));
    ready();
  };

  // 6. The schedule (started by start()).
  let scheduler: Scheduler | undefined;
  const schedule = (expr: string, runAtStart = true) =>
    startScheduler({
      schedule: expr,
      runAtStart,
      maxGapMs: scheduleIntervalMs(expr),
      log: log.child({ component: 'poll' }),
      sweep: (signal) => sweep(signal),
      onSkip: () => {
        metrics.sweepSkipped();
        log.warn('previous sweep still running: tick skipped');
      },
    });

  // 7. HTTP and the watch on rotating secrets (started by start()). The views of /api/resources and
  // the status page: the store, the poller's facts and what else is known of each resource.
  const extras = (s: ResourceSnapshot): ViewExtras => {
    const t = recent.get(s.id);
    return t && t.to === s.status ? { lastTransition: t } : {};
  };
  const viewInput = (): ResourceListInput => ({
    resources: store.resources(),
    runtime: (id) => tracker.get(id),
    runtimeIds: () => tracker.arns(),
    statics: rt.spec.statics,
    extras,
    nextSweepAt: scheduler?.nextRunAt(),
    now: clock.now(),
  });
  const resourceSource = {
    resources: () => resourceList(viewInput()),
    resource: (id: string) => {
      const s = store.resources().get(id);
      if (!s || s.tagFiltered === true) return undefined;
      const check = {
        runtime: tracker.get(id),
        source: rt.spec.statics.has(id) ? 'static' : 'discovery',
        nextSweepAt: scheduler?.nextRunAt(),
      } as const;
      return resourceDetailView(s, check, extras(s), clock.now());
    },
    now: () => clock.now(),
  };
  let http: RunningHttpServer | undefined;
  let secretWatch: FileWatch | undefined;

  // Reloads run one at a time (src/config/reload-queue.ts): a SIGHUP or a rotated secret during a
  // reload is folded into one more reload of the file as it is then. Each step that starts
  // something checks that stop() has not begun, so a reload racing stop() leaves nothing running.
  const applyReload = async (next: Config | undefined): Promise<boolean> => {
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
    const changes = reloadChanges(config, c);
    if (changes.logLevelChanged) log.level = c.log.level;
    // The old worker ends (its in-flight sends finish or stay pending) before the new one starts:
    // never two workers on one outbox.
    await rt.worker.stop(STOP_OUTBOX_MS);
    if (reloads.closed) return false;
    config = c;
    rt = runtimeOf(c);
    rt.worker.start();
    if (scheduler && changes.scheduleChanged) {
      await scheduler.stop(STOP_SWEEP_MS);
      // The new schedule's first tick sweeps: a reload is no reason for an extra sweep.
      scheduler = reloads.closed ? undefined : schedule(c.polling.schedule, false);
    }
    metrics.setPollInterval(rt.intervalMs);
    metrics.configReload(true, clock.now());
    const fixed = changes.needsRestart;
    log.info(
      {
        jobs: rt.spec.statics.size,
        discovery: rt.spec.sources.length,
        targets: c.notifications.targets.map((t) => t.name),
        ...(fixed.length ? { needsRestart: fixed } : {}),
        ...(reloads.folded ? { foldedRequestsSinceStart: reloads.folded } : {}),
      },
      fixed.length ? `config reloaded; ${fixed.join(' and ')} changes apply after a restart` : 'config reloaded',
    );
    return true;
  };
  const reloads = createReloadQueue<Config | undefined>(async (next) => {
    try {
      return await applyReload(next);
    } catch (err) {
      // Nothing above is expected to throw; if it does, the reload is counted as refused.
      metrics.configReload(false, clock.now());
      log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'config reload failed');
      return false;
    }
  });
  const reload = (next?: Config): Promise<boolean> => reloads.request(next);

  return {
    store,
    registry,
    metrics,
    get url() {
      return http?.url ?? '';
    },
    get adminUrl() {
      return http?.adminUrl ?? '';
    },
    get config() {
      return config;
    },
    reload,
    async start() {
      http = await startHttpServer(config.server, {
        metrics: (gzip) => metrics.exposition(gzip),
        metricsContentType: metrics.contentType,
        readiness: ready,
        resources: resourceSource,
        jobs: () => jobsView(store.resources(), tracker, rt.spec.statics, scheduler?.nextRunAt()),
        outbox: () => outboxView(store.pending(), store.deadLetters()),
        retryDeadLetters: (ids) => rt.worker.retryDeadLetters(ids),
        discardDeadLetters: (ids) => store.discardDeadLetters(ids),
        log: log.child({ component: 'http' }),
      });
      rt.worker.start();
      if (opts.schedule !== false) scheduler = schedule(config.polling.schedule);
      // A rotated Secret (new file content) is applied as a reload, as SIGHUP would.
      if (opts.configPath) {
        secretWatch = watchFiles({
          files: () => secretFilesOf(config),
          onChange: () => reload(),
          log: log.child({ component: 'config' }),
          ...(opts.secretPollMs ? { intervalMs: opts.secretPollMs } : {}),
        });
      }
      log.info(
        {
          listen: http.url,
          admin: http.adminUrl ?? 'disabled',
          jobs: rt.spec.statics.size,
          discovery: rt.spec.sources.length,
          targets: config.notifications.targets.map((t) => t.name),
          schedule: config.polling.schedule,
          ...proxies,
        },
        'cleanroomsml-monitor started',
      );
    },
    async sweepNow() {
      if (scheduler) return (await scheduler.trigger()) ? poller.lastReport() : undefined;
      await sweep();
      return poller.lastReport();
    },
    async stop() {
      log.info('shutting down: finishing in-flight work');
      secretWatch?.stop();
      // A reload in progress finishes first (starting nothing new); none starts after it.
      await reloads.close();
      await scheduler?.stop(STOP_SWEEP_MS);
      await rt.worker.stop(STOP_OUTBOX_MS);
      await http?.close();
      await store.close();
      log.info('stopped');
    },
  };
}
