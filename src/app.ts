// Composition root: builds the real dependencies from a Config and wires them. No logic of its own
// beyond start/stop ordering; every dependency can be replaced through AppOptions (tests, demo).
import { Registry } from 'prom-client';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from './domain.js';
import type { Config } from './config/schema.js';
import { scheduleIntervalMs } from './config/schedule.js';
import type { Logger } from './log.js';
import { createLogger } from './log.js';
import { systemClock } from './clock.js';
import { createCleanRoomsMlClient } from './aws/client.js';
import type { CleanRoomsMlApi } from './aws/types.js';
import { openStateStore, type FileStateStore } from './state/store.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { AdaptiveRateLimiter } from './poll/limiter.js';
import { JobTracker } from './poll/tracker.js';
import { runSweep, type SweepReport, type SweepSpec } from './poll/sweep.js';
import { startScheduler, type Scheduler } from './poll/scheduler.js';
import { createOutboxWorker, type OutboxWorker } from './notify/outbox.js';
import type { send as sendFn } from './notify/send.js';
import { readiness } from './http/readiness.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { jobsView, outboxView } from './http/views.js';
import { VERSION } from './version.js';

export interface AppOptions {
  config: Config;
  /** The file the config came from: SIGHUP re-reads it. */
  configPath?: string;
  clock?: Clock;
  log?: Logger;
  registry?: Registry;
  /** Replaces the real Clean Rooms ML client. */
  api?: CleanRoomsMlApi;
  /** Credentials for the real client (default: the AWS SDK's Node.js provider chain). */
  credentials?: AwsCredentialIdentityProvider;
  /** Replaces the notification HTTP path (tests only). */
  send?: typeof sendFn;
  /** Gets per sweep for first sight and metric backfill. */
  detailBudget?: number;
  /** Backoff bounds of AWS retries (tests shorten them). */
  retryDelayMs?: { min: number; max: number };
  /** Outbox worker tuning (tests shorten delays). */
  outbox?: { baseDelayMs?: number; maxDelayMs?: number; maxAttempts?: number; maxAgeMs?: number };
  /** Start sweeping at start() (default true). */
  schedule?: boolean;
}

export interface App {
  readonly config: Config;
  readonly store: FileStateStore;
  readonly registry: Registry;
  readonly metrics: Metrics;
  /** Base URL of the HTTP server. */
  readonly url: string;
  start(): Promise<void>;
  /** Run one sweep now (skipped and undefined if one is running). */
  sweepNow(): Promise<SweepReport | undefined>;
  stop(): Promise<void>;
}

/** Upper bounds of a clean shutdown: the whole must fit in Kubernetes' and our 10 s promise. */
const STOP_SWEEP_MS = 4_000;
const STOP_OUTBOX_MS = 3_000;

export async function createApp(opts: AppOptions): Promise<App> {
  const config = opts.config;
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger({ level: config.log.level });
  const registry = opts.registry ?? new Registry();
  const intervalMs = scheduleIntervalMs(config.polling.schedule);
  let stateWritable = true;
  let lastSuccessAt: number | undefined;
  let lastReport: SweepReport | undefined;

  // Metrics read the store lazily; `store` is assigned before the first scrape can happen.
  // eslint-disable-next-line prefer-const
  let store: FileStateStore;
  const metrics = createMetrics(
    registry,
    {
      jobs: () => store.jobs(),
      pending: () => store.pending(),
      deadLetters: () => store.deadLetters(),
      targetNames: () => config.notifications.targets.map((t) => t.name),
      now: () => clock.now(),
    },
    VERSION,
  );
  metrics.setPollInterval(intervalMs);
  metrics.configReload(true, clock.now());

  store = await openStateStore({
    dir: config.state.dir,
    clock,
    log: log.child({ component: 'state' }),
    onWriteError: (err) => {
      stateWritable = false;
      metrics.stateWriteError();
      log.error({ err: { code: (err as NodeJS.ErrnoException).code, message: err.message } }, 'state write failed: readiness is false until a write succeeds; nothing unrecorded is sent');
    },
    onWriteOk: () => {
      stateWritable = true;
    },
  });
  for (const f of store.loadReport.quarantined) metrics.stateQuarantined(f);
  log.info({ ...store.loadReport, dir: config.state.dir }, 'state loaded');

  const api =
    opts.api ??
    createCleanRoomsMlClient({
      region: config.aws.region,
      ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      requestTimeoutMs: config.aws.requestTimeoutMs,
      observer: (op, outcome, ms) => metrics.apiRequest(op, outcome, ms),
    });
  const limiter = new AdaptiveRateLimiter({ maxPerSecond: config.polling.maxRequestsPerSecond, clock });
  const tracker = new JobTracker();
  const spec: SweepSpec = {
    staticArns: new Set(config.jobs.map((j) => j.arn)),
    discovery: config.discovery,
    targets: config.notifications.targets,
    notifyOnFirstSeenTerminal: config.polling.notifyOnFirstSeenTerminal,
  };

  const worker: OutboxWorker = createOutboxWorker({
    store,
    targets: config.notifications.targets,
    clock,
    log: log.child({ component: 'notify' }),
    onOutcome: (target, outcome) => metrics.notification(target, outcome),
    ...(opts.send ? { send: opts.send } : {}),
    ...(opts.outbox ?? {}),
  });

  const ready = () => {
    const r = readiness({ now: clock.now(), configLoaded: true, stateLoaded: true, stateWritable, lastSuccessfulSweepAt: lastSuccessAt, intervalMs });
    metrics.setReady(r.ready);
    return r;
  };

  const sweep = async (signal?: AbortSignal): Promise<void> => {
    try {
      const r = await runSweep(
        {
          api,
          store,
          limiter,
          clock,
          log: log.child({ component: 'poll' }),
          tracker,
          concurrency: config.polling.concurrency,
          maxAttempts: config.aws.maxAttempts,
          detailBudget: opts.detailBudget ?? 100,
          ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}),
          onTransition: (t) => metrics.transition(t.from, t.to),
        },
        spec,
        signal,
      );
      lastReport = r;
      metrics.sweep(r.ok, r.durationMs, clock.now());
      if (r.ok) lastSuccessAt = clock.now();
      log.debug({ ...r }, 'sweep finished');
      if (r.notifications > 0) worker.kick();
    } catch (err) {
      metrics.sweep(false, 0, clock.now());
      log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'sweep failed; the next tick retries');
    } finally {
      metrics.setApiRateLimit(limiter.currentRate);
      ready();
    }
  };

  let scheduler: Scheduler | undefined;
  let http: RunningHttpServer | undefined;

  const app: App = {
    config,
    store,
    registry,
    metrics,
    get url() {
      return http?.url ?? '';
    },
    async start() {
      http = await startHttpServer(config.server, {
        registry,
        readiness: ready,
        jobs: () => jobsView(store.jobs(), tracker, spec.staticArns),
        outbox: () => outboxView(store.pending(), store.deadLetters()),
        retryDeadLetters: (ids) => worker.retryDeadLetters(ids),
        log: log.child({ component: 'http' }),
      });
      worker.start();
      if (opts.schedule !== false) {
        scheduler = startScheduler({
          schedule: config.polling.schedule,
          sweep: (signal) => sweep(signal),
          onSkip: () => {
            metrics.sweepSkipped();
            log.warn('previous sweep still running: tick skipped');
          },
        });
      }
      log.info({ url: http.url, jobs: spec.staticArns.size, discovery: spec.discovery.length, targets: config.notifications.targets.map((t) => t.name), schedule: config.polling.schedule }, 'cleanroomsml-monitor started');
    },
    async sweepNow() {
      if (scheduler) return (await scheduler.trigger()) ? lastReport : undefined;
      await sweep();
      return lastReport;
    },
    async stop() {
      log.info('shutting down: finishing in-flight work');
      await scheduler?.stop(STOP_SWEEP_MS);
      await worker.stop(STOP_OUTBOX_MS);
      await http?.close();
      await store.close();
      log.info('stopped');
    },
  };
  return app;
}
