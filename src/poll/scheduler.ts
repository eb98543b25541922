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

/**
 * Has the wall clock been stepped, given wall minus monotonic time before and now? That offset is
 * constant unless the wall clock is stepped (NTP slewing moves it by under a millisecond per
 * second); a step of half the gap (at least a second) counts.
 */
export function clockStepped(offsetBeforeMs: number, offsetNowMs: number, gapMs: number): boolean {
  return Math.abs(offsetNowMs - offsetBeforeMs) > Math.max(1000, gapMs / 2);
}

/** Is a sweep overdue: none started for two gaps? */
export function sweepOverdue(sinceLastStartMs: number, gapMs: number): boolean {
  return sinceLastStartMs >= 2 * gapMs;
}

/**
 * node-cron's log, quiet but for warnings. After a forward clock jump node-cron warns once per
 * missed tick (3600 lines for an hour of per-second ticks): those are aggregated into one line a
 * minute.
 */
function cronLoggerOf(log: SchedulerOptions['log'], mono: () => number): CronLogger {
  let missed = 0;
  let missedReportedAt = -Infinity;
  return {
    info: () => {},
    debug: () => {},
    warn: (m: string) => {
      if (!m.startsWith('missed execution')) return log?.warn({}, `node-cron: ${m}`);
      missed++;
      const now = mono();
      if (now - missedReportedAt >= 60_000) {
        log?.warn({ missedTicks: missed }, `${missed} schedule tick(s) missed (wall-clock jump or blocked event loop)`);
        missed = 0;
        missedReportedAt = now;
      }
    },
    error: (m: string | Error) => log?.warn({}, `node-cron: ${m instanceof Error ? m.message : m}`),
  };
}

/** What the scheduler's parts share: whether it stopped, the running sweep and when the last one started. */
interface SchedulerState {
  stopped: boolean;
  running: Promise<void> | undefined;
  controller: AbortController | undefined;
  lastStart: number;
}

/**
 * Every so often (at most 10 s): re-anchor the cron task when the wall clock was stepped, and
 * sweep when no sweep started for two gaps.
 */
function startWatchdog(
  gap: number,
  st: SchedulerState,
  task: CronTask,
  trigger: () => Promise<boolean>,
  time: SchedulerTime,
  log: SchedulerOptions['log'],
): unknown {
  const { wall, mono } = time;
  let offset = wall() - mono();
  return time.timers.setInterval(
    () => {
      const nowOffset = wall() - mono();
      if (!st.stopped && clockStepped(offset, nowOffset, gap)) {
        // node-cron keeps waiting for the slot it computed before the step: an hour back means
        // an hour of watchdog sweeps at half pace. Restarting the task recomputes the next slot.
        log?.warn({ stepMs: Math.round(nowOffset - offset) }, 'wall clock stepped: schedule re-anchored to it');
        offset = nowOffset;
        Promise.resolve(task.stop())
          .then(() => (st.stopped ? undefined : task.start()))
          .catch((err: unknown) => log?.warn({ err: String(err) }, 'could not re-anchor the schedule; the watchdog keeps sweeping'));
      }
      if (st.stopped || st.running || !sweepOverdue(mono() - st.lastStart, gap)) return;
      log?.warn(
        { sinceLastSweepMs: Math.round(mono() - st.lastStart) },
        'no scheduled sweep for two intervals (wall clock jumped back?): sweeping now',
      );
      trigger().catch(() => {});
    },
    Math.min(gap, 10_000),
  );
}

/** Wait for the running sweep up to deadlineMs, then abort it and wait for it to end. */
async function finishRunning(st: SchedulerState, deadlineMs: number, timers: Timers): Promise<void> {
  const current = st.running;
  if (!current) return;
  let timer: unknown;
  const timeout = new Promise<void>((resolve) => {
    timer = timers.setTimeout(() => {
      st.controller?.abort(new Error('shutting down'));
      resolve();
    }, deadlineMs);
  });
  await Promise.race([current.catch(() => {}), timeout]);
  timers.clearTimeout(timer);
  await current.catch(() => {});
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const time = opts.time ?? systemTime;
  const { timers } = time;
  const st: SchedulerState = { stopped: false, running: undefined, controller: undefined, lastStart: time.mono() };

  const trigger = async (): Promise<boolean> => {
    if (st.stopped) return false;
    if (st.running) {
      opts.onSkip();
      return false;
    }
    st.lastStart = time.mono();
    st.controller = new AbortController();
    const running = opts.sweep(st.controller.signal).finally(() => {
      st.running = undefined;
    });
    st.running = running;
    await running;
    return true;
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
    cronLoggerOf(opts.log, time.mono),
  );
  if (opts.runAtStart !== false) trigger().catch(() => {});
  const watchdog =
    opts.maxGapMs !== undefined && opts.maxGapMs > 0 ? startWatchdog(opts.maxGapMs, st, task, trigger, time, opts.log) : undefined;

  return {
    trigger,
    nextRunAt: () => {
      const next = st.stopped ? undefined : task.getNextRun()?.getTime();
      return next === undefined ? undefined : next + phase;
    },
    async stop(deadlineMs) {
      st.stopped = true;
      if (watchdog !== undefined) timers.clearInterval(watchdog);
      for (const t of phased) timers.clearTimeout(t);
      phased.clear();
      await task.stop();
      await finishRunning(st, deadlineMs, timers);
    },
  };
}
