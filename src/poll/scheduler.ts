// Runs the sweep on the node-cron schedule. A sweep never overlaps the previous one: a tick that
// finds a sweep still running is skipped and counted (a slow AWS must not pile up sweeps).
import cron from 'node-cron';
import { monotonic, systemClock, systemTimers, type Timers } from '../clock.js';

/** The cron task the scheduler drives (node-cron's ScheduledTask in production). */
export interface CronTask {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  getNextRun(): Date | null | undefined;
}

export interface CronLogger {
  info(m: string): void;
  debug(m: string): void;
  warn(m: string): void;
  error(m: string | Error): void;
}

/** Starts a cron task for an expression (node-cron follows the wall clock). */
export type CronFactory = (expr: string, onTick: () => void, logger: CronLogger) => CronTask;

const nodeCron: CronFactory = (expr, onTick, logger) => cron.schedule(expr, onTick, { logger });

/** The time sources of the scheduler: wall clock, monotonic clock, timers. */
export interface SchedulerTime {
  wall(): number;
  mono(): number;
  timers: Timers;
}

const systemTime: SchedulerTime = { wall: systemClock.now, mono: monotonic, timers: systemTimers };

export interface Scheduler {
  /** Run a sweep now unless one is running (used at start-up and by tests). */
  trigger(): Promise<boolean>;
  /** Stop ticking; wait for the running sweep up to deadlineMs, then abort it. */
  stop(deadlineMs: number): Promise<void>;
  /** Epoch ms of the next tick (undefined once stopped). */
  nextRunAt(): number | undefined;
}

export interface SchedulerOptions {
  schedule: string;
  sweep: (signal: AbortSignal) => Promise<void>;
  onSkip: () => void;
  /** Run a first sweep immediately instead of waiting for the first tick. */
  runAtStart?: boolean;
  /**
   * Longest expected gap between ticks. A watchdog on the monotonic clock starts a sweep when none
   * started for twice this long: node-cron follows the wall clock, and after the clock jumps back
   * an hour it would wait an hour for its old next slot (the monitor must never go silent).
   */
  maxGapMs?: number;
  log?: { warn(obj: object, msg: string): void };
  /** Time sources (default: Date.now, performance.now, Node's timers). */
  time?: SchedulerTime;
  /** Cron implementation (default: node-cron). */
  cron?: CronFactory;
  /**
   * Start each scheduled sweep this long after its tick (0..interval). Shards spread their sweeps
   * over the interval this way instead of all calling AWS at the same instant (an account's API
   * rate is shared); each shard still sweeps once per interval, so detection takes no longer.
   */
  phaseMs?: number;
}

/** The phase of shard `index` of `total` within an interval: the shards evenly spread over it. */
export function shardPhaseMs(shard: { index: number; total: number } | undefined, intervalMs: number): number {
  if (!shard || shard.total <= 1) return 0;
  return Math.floor((shard.index / shard.total) * intervalMs);
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const { wall, mono, timers } = opts.time ?? systemTime;
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let stopped = false;
  let lastStart = mono();
  let missed = 0;
  let missedReportedAt = -Infinity;

  const trigger = async (): Promise<boolean> => {
    if (stopped) return false;
    if (running) {
      opts.onSkip();
      return false;
    }
    lastStart = mono();
    controller = new AbortController();
    running = opts.sweep(controller.signal).finally(() => {
      running = undefined;
    });
    await running;
    return true;
  };

  // After a forward clock jump node-cron warns once per missed tick (3600 lines for an hour of
  // per-second ticks): aggregate those into one line a minute.
  const cronLogger = {
    info: () => {},
    debug: () => {},
    warn: (m: string) => {
      if (!m.startsWith('missed execution')) return opts.log?.warn({}, `node-cron: ${m}`);
      missed++;
      const now = mono();
      if (now - missedReportedAt >= 60_000) {
        opts.log?.warn({ missedTicks: missed }, `${missed} schedule tick(s) missed (wall-clock jump or blocked event loop)`);
        missed = 0;
        missedReportedAt = now;
      }
    },
    error: (m: string | Error) => opts.log?.warn({}, `node-cron: ${m instanceof Error ? m.message : m}`),
  };
  const phase = Math.max(0, opts.phaseMs ?? 0);
  const phased = new Set<unknown>();
  const task = (opts.cron ?? nodeCron)(
    opts.schedule,
    () => {
      // The sweep reports its own failures; a rejected promise here must never crash the process.
      if (phase === 0) return void trigger().catch(() => {});
      const t = timers.setTimeout(() => {
        phased.delete(t);
        trigger().catch(() => {});
      }, phase);
      phased.add(t);
    },
    cronLogger,
  );
  if (opts.runAtStart !== false) trigger().catch(() => {});
  let watchdog: unknown;
  if (opts.maxGapMs !== undefined && opts.maxGapMs > 0) {
    const gap = opts.maxGapMs;
    // Wall time minus monotonic time: constant unless the wall clock is stepped (NTP slewing
    // moves it by under a millisecond per second).
    let offset = wall() - mono();
    watchdog = timers.setInterval(
      () => {
        const nowOffset = wall() - mono();
        if (!stopped && Math.abs(nowOffset - offset) > Math.max(1000, gap / 2)) {
          // node-cron keeps waiting for the slot it computed before the step: an hour back means
          // an hour of watchdog sweeps at half pace. Restarting the task recomputes the next slot.
          opts.log?.warn({ stepMs: Math.round(nowOffset - offset) }, 'wall clock stepped: schedule re-anchored to it');
          offset = nowOffset;
          Promise.resolve(task.stop())
            .then(() => (stopped ? undefined : task.start()))
            .catch((err: unknown) => opts.log?.warn({ err: String(err) }, 'could not re-anchor the schedule; the watchdog keeps sweeping'));
        }
        if (stopped || running || mono() - lastStart < 2 * gap) return;
        opts.log?.warn(
          { sinceLastSweepMs: Math.round(mono() - lastStart) },
          'no scheduled sweep for two intervals (wall clock jumped back?): sweeping now',
        );
        trigger().catch(() => {});
      },
      Math.min(gap, 10_000),
    );
  }

  return {
    trigger,
    nextRunAt: () => {
      const next = stopped ? undefined : task.getNextRun()?.getTime();
      return next === undefined ? undefined : next + phase;
    },
    async stop(deadlineMs) {
      stopped = true;
      if (watchdog !== undefined) timers.clearInterval(watchdog);
      for (const t of phased) timers.clearTimeout(t);
      phased.clear();
      await task.stop();
      const current = running;
      if (!current) return;
      let timer: unknown;
      const timeout = new Promise<void>((resolve) => {
        timer = timers.setTimeout(() => {
          controller?.abort(new Error('shutting down'));
          resolve();
        }, deadlineMs);
      });
      await Promise.race([current.catch(() => {}), timeout]);
      timers.clearTimeout(timer);
      await current.catch(() => {});
    },
  };
}
