// Composition root: builds the real dependencies from a Config and wires them. No logic of its own
// beyond start/stop ordering; every dependency can be replaced through AppOptions (tests, demo).
import { Registry } from 'prom-client';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from './domain.js';
import type { Config } from './config/schema.js';
import { scheduleIntervalMs } from './config/schedule.js';
import { loadConfig, secretFilesOf } from './config/load.js';
import { watchFiles, type FileWatch } from './config/watch-files.js';
import type { Logger } from './log.js';
import { createLogger } from './log.js';
import { createSteadyClock, systemClock } from './clock.js';
import { createCleanRoomsMlClient } from './aws/client.js';
import type { CleanRoomsMlApi } from './aws/types.js';
import { openStateStore, type FileStateStore } from './state/store.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { AdaptiveRateLimiter } from './poll/limiter.js';
import { JobTracker } from './poll/tracker.js';
import { runSweep, type Conn, type SweepReport, type SweepSpec } from './poll/sweep.js';
import { ownsArn, type Shard } from './poll/shard.js';
import { arnRegion, listScopes } from './poll/plan.js';
import { connKey, credentialsFor, limiterKey, parseConnKey } from './aws/connections.js';
import { startScheduler, type Scheduler } from './poll/scheduler.js';
import { createOutboxWorker, type OutboxWorker } from './notify/outbox.js';
import type { send as sendFn } from './notify/send.js';
import { readiness } from './http/readiness.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { jobsView, outboxView } from './http/views.js';
import { VERSION } from './version.js';
import { proxySummary } from './net/proxy-env.js';

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
  /** Re-read the config file (or apply `next`); an invalid config is refused and the old one kept. */
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

export async function createApp(opts: AppOptions): Promise<App> {
  const config = opts.config;
  // Scheduling, backoff and ages run on a clock immune to wall-clock steps; webhook-timestamp
  // headers use the wall clock, because receivers compare them with theirs.
  const clock = opts.clock ?? createSteadyClock({ onReanchor: (skewMs) => log.warn({ skewMs }, 'wall clock differed for 15 min; adopting it') });
  const wallClock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger({ level: config.log.level });
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-env.ts): a malformed proxy URL stops here.
  const proxies = proxySummary(process.env);
  const registry = opts.registry ?? new Registry();
  let stateWritable = true;
  let lastReport: SweepReport | undefined;

  // Metrics read the store lazily; `store` is assigned before the first scrape can happen.
  let store: FileStateStore;
  let inForce = config;
  const metrics = createMetrics(
    registry,
    {
      jobs: () => store.jobs(),
      pending: () => store.pending(),
      deadLetters: () => store.deadLetters(),
      // The config in force, not the start-up one: a reload may add, rename or remove targets.
      targetNames: () => inForce.notifications.targets.map((t) => t.name),
      now: () => clock.now(),
      statusSeries: () => rt.config.metrics.statusSeries,
    },
    VERSION,
  );
  metrics.setPollInterval(scheduleIntervalMs(config.polling.schedule));
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
    onLockLost: (err) => {
      stateWritable = false;
      log.fatal({ dir: config.state.dir }, err.message);
      opts.onFatal?.(err);
    },
  });
  for (const f of store.loadReport.quarantined) metrics.stateQuarantined(f);
  log.info({ ...store.loadReport, dir: config.state.dir }, 'state loaded');

  // Everything derived from the reloadable parts of the config. Rebuilt by reload().
  const buildRuntime = (c: Config) => {
    const makeClient = (region: string, roleArn: string | undefined) =>
      opts.api ??
      createCleanRoomsMlClient({
        region,
        ...(c.aws.endpoint ? { endpoint: c.aws.endpoint } : {}),
        ...(roleArn || opts.credentials ? { credentials: credentialsFor({ roleArn, region }, opts.credentials) } : {}),
        requestTimeoutMs: c.aws.requestTimeoutMs,
        observer: (op, outcome, ms) => metrics.apiRequest(op, outcome, ms),
      });
    // One limiter per account and region (shared by every role of that account), one client per
    // role and region. The default connection is aws.roleArn (or the base identity) in aws.region.
    const limiters = new Map<string, AdaptiveRateLimiter>();
    const limiterFor = (key: string) => {
      let l = limiters.get(key);
      if (!l) limiters.set(key, (l = new AdaptiveRateLimiter({ maxPerSecond: c.polling.maxRequestsPerSecond, clock })));
      return l;
    };
    const defaultConn = { roleArn: c.aws.roleArn, region: c.aws.region };
    const api = makeClient(defaultConn.region, defaultConn.roleArn);
    const limiter = limiterFor(limiterKey(defaultConn));
    const conns = new Map<string, Conn>();
    const connFor = (key: string): Conn => {
      let cn = conns.get(key);
      if (!cn) {
        const spec = parseConnKey(key);
        conns.set(key, (cn = { api: makeClient(spec.region, spec.roleArn), limiter: limiterFor(limiterKey(spec)) }));
      }
      return cn;
    };
    const defaultKey = connKey(defaultConn);
    const named = (roleArn: string | undefined, region: string): string | undefined => {
      const k = connKey({ roleArn: roleArn ?? c.aws.roleArn, region });
      return k === defaultKey ? undefined : k;
    };
    const staticConn = new Map<string, string>();
    for (const j of c.jobs) {
      const k = named(j.roleArn, j.region ?? arnRegion(j.arn) ?? c.aws.region);
      if (k !== undefined) staticConn.set(j.arn, k);
    }
    const shard = opts.shard;
    const intervalMs = scheduleIntervalMs(c.polling.schedule);
    const spec: SweepSpec = {
      staticArns: new Set(c.jobs.filter((j) => ownsArn(shard, j.arn)).map((j) => j.arn)),
      discovery: c.discovery.map((d) => {
        const k = named(d.roleArn, d.region ?? c.aws.region);
        return {
          ...(d.collaborationId !== undefined ? { collaborationId: d.collaborationId } : {}),
          ...(d.configuredAudienceModelArn !== undefined ? { configuredAudienceModelArn: d.configuredAudienceModelArn } : {}),
          ...(d.region !== undefined ? { region: d.region } : {}),
          ...(k !== undefined ? { conn: k } : {}),
        };
      }),
      targets: c.notifications.targets,
      notifyOnFirstSeenTerminal: c.polling.notifyOnFirstSeenTerminal,
      staticConn,
      ...(shard ? { owns: (arn: string) => ownsArn(shard, arn) } : {}),
      schedule: {
        activeIntervalMs: intervalMs,
        terminalIntervalMs: c.polling.terminalInterval,
        maxBackoffMs: c.polling.maxBackoff,
        retentionMs: c.polling.terminalRetention,
      },
    };
    const worker: OutboxWorker = createOutboxWorker({
      store,
      targets: c.notifications.targets,
      clock,
      wallClock,
      log: log.child({ component: 'notify' }),
      onOutcome: (target, outcome) => metrics.notification(target, outcome),
      ...(opts.send ? { send: opts.send } : {}),
      ...(opts.outbox ?? {}),
    });
    return { config: c, api, spec, worker, limiter, limiters, connFor, intervalMs };
  };
  let rt = buildRuntime(config);
  const tracker = new JobTracker();

  const ready = () => {
    const r = readiness({ configLoaded: true, stateLoaded: true, stateWritable });
    metrics.setReady(r.ready);
    return r;
  };

  const sweep = async (signal?: AbortSignal): Promise<void> => {
    const { api, spec, limiter, worker, config: c } = rt;
    try {
      if (!stateWritable) await store.checkpoint(); // probe: has space come back?
      const r = await runSweep(
        {
          api,
          store,
          limiter,
          clock,
          log: log.child({ component: 'poll' }),
          tracker,
          concurrency: c.polling.concurrency,
          maxAttempts: c.aws.maxAttempts,
          connFor: rt.connFor,
          ...(opts.random ? { random: opts.random } : {}),
          onCommitted: (n) => {
            // Notifications follow the main results; the backfill may go on.
            ready();
            if (n > 0) worker.kick();
          },
          // Metric backfill spends what the adaptive rate leaves of ~80% of one interval, so it
          // never pushes a sweep past the next tick (changed jobs are committed before it anyway).
          detailBudget:
            opts.detailBudget ??
            ((used: number) => Math.max(10, Math.floor(limiter.currentRate * (rt.intervalMs / 1000) * 0.8) - used)),
          ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}),
          onTransition: (t) => metrics.transition(t.from, t.to),
        },
        spec,
        signal,
      );
      lastReport = r;
      metrics.sweep(r.ok, r.durationMs, clock.now());
      const current = listScopes(spec.staticArns, spec.discovery, store.jobs(), spec.staticConn).map((s) => s.key);
      metrics.scopes({ listed: r.listedScopes, failed: r.failedScopes, current, at: clock.now() });
      log.debug({ ...r }, 'sweep finished');
      if (r.notifications > 0) worker.kick();
    } catch (err) {
      metrics.sweep(false, 0, clock.now());
      log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'sweep failed; the next tick retries');
    } finally {
      metrics.setApiRateLimit(Math.min(...[...rt.limiters.values()].map((l) => l.currentRate)));
      ready();
    }
  };

  let scheduler: Scheduler | undefined;
  const nextSweepAt = (): number | undefined => scheduler?.nextRunAt();
  const schedule = (expr: string) =>
    startScheduler({
      schedule: expr,
      maxGapMs: scheduleIntervalMs(expr),
      log: log.child({ component: 'poll' }),
      sweep: (signal) => sweep(signal),
      onSkip: () => {
        metrics.sweepSkipped();
        log.warn('previous sweep still running: tick skipped');
      },
    });
  let http: RunningHttpServer | undefined;
  let secretWatch: FileWatch | undefined;

  const app: App = {
    store,
    registry,
    metrics,
    get url() {
      return http?.url ?? '';
    },
    get adminUrl() {
      return http?.adminUrl ?? '';
    },
    async start() {
      http = await startHttpServer(config.server, {
        metrics: (gzip) => metrics.exposition(gzip),
        metricsContentType: metrics.contentType,
        readiness: ready,
        jobs: () => jobsView(store.jobs(), tracker, rt.spec.staticArns, nextSweepAt()),
        outbox: () => outboxView(store.pending(), store.deadLetters()),
        retryDeadLetters: (ids) => rt.worker.retryDeadLetters(ids),
        discardDeadLetters: (ids) => store.discardDeadLetters(ids),
        log: log.child({ component: 'http' }),
      });
      rt.worker.start();
      if (opts.schedule !== false) scheduler = schedule(rt.config.polling.schedule);
      // A rotated Secret (new file content) is applied as a reload, as SIGHUP would.
      if (opts.configPath) {
        secretWatch = watchFiles({ files: () => secretFilesOf(rt.config), onChange: () => app.reload(), log: log.child({ component: 'config' }), ...(opts.secretPollMs ? { intervalMs: opts.secretPollMs } : {}) });
      }
      log.info({ listen: http.url, admin: http.adminUrl ?? 'disabled', jobs: rt.spec.staticArns.size, discovery: rt.spec.discovery.length, targets: rt.config.notifications.targets.map((t) => t.name), schedule: rt.config.polling.schedule, ...proxies }, 'cleanroomsml-monitor started');
    },
    get config() {
      return rt.config;
    },
    async reload(next?: Config) {
      let c: Config;
      try {
        if (next) c = next;
        else if (opts.configPath) c = await loadConfig(opts.configPath);
        else throw new Error('no config file to reload from');
      } catch (err) {
        metrics.configReload(false, clock.now());
        log.error({ err: { message: (err as Error).message } }, `config reload refused; the previous config keeps running: ${(err as Error).message}`);
        return false;
      }
      const fixed: string[] = [];
      if (JSON.stringify(c.state) !== JSON.stringify(rt.config.state)) fixed.push('state.dir');
      if (JSON.stringify(c.server) !== JSON.stringify(rt.config.server)) fixed.push('server');
      if (c.log.level !== rt.config.log.level) log.level = c.log.level;
      const old = rt;
      await old.worker.stop(STOP_OUTBOX_MS);
      rt = buildRuntime(c);
      inForce = c;
      rt.worker.start();
      if (scheduler && c.polling.schedule !== old.config.polling.schedule) {
        await scheduler.stop(STOP_SWEEP_MS);
        scheduler = schedule(c.polling.schedule);
      }
      metrics.setPollInterval(rt.intervalMs);
      metrics.configReload(true, clock.now());
      log.info(
        { jobs: rt.spec.staticArns.size, discovery: rt.spec.discovery.length, targets: c.notifications.targets.map((t) => t.name), ...(fixed.length ? { needsRestart: fixed } : {}) },
        fixed.length ? `config reloaded; ${fixed.join(' and ')} changes apply after a restart` : 'config reloaded',
      );
      return true;
    },
    async sweepNow() {
      if (scheduler) return (await scheduler.trigger()) ? lastReport : undefined;
      await sweep();
      return lastReport;
    },
    async stop() {
      log.info('shutting down: finishing in-flight work');
      secretWatch?.stop();
      await scheduler?.stop(STOP_SWEEP_MS);
      await rt.worker.stop(STOP_OUTBOX_MS);
      await http?.close();
      await store.close();
      log.info('stopped');
    },
  };
  return app;
}
