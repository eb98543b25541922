// Runs the sweep on the node-cron schedule. A sweep never overlaps the previous one: a tick that
// finds a sweep still running is skipped and counted (a slow AWS must not pile up sweeps).
import cron from 'node-cron';

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
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let stopped = false;
  let lastStart = performance.now();
  let missed = 0;
  let missedReportedAt = -Infinity;

  const trigger = async (): Promise<boolean> => {
    if (stopped) return false;
    if (running) {
      opts.onSkip();
      return false;
    }
    lastStart = performance.now();
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
      const now = performance.now();
      if (now - missedReportedAt >= 60_000) {
        opts.log?.warn({ missedTicks: missed }, `${missed} schedule tick(s) missed (wall-clock jump or blocked event loop)`);
        missed = 0;
        missedReportedAt = now;
      }
    },
    error: (m: string | Error) => opts.log?.warn({}, `node-cron: ${m instanceof Error ? m.message : m}`),
  };
  const task = cron.schedule(
    opts.schedule,
    () => {
      // The sweep reports its own failures; a rejected promise here must never crash the process.
      trigger().catch(() => {});
    },
    { logger: cronLogger },
  );
  if (opts.runAtStart !== false) trigger().catch(() => {});
  let watchdog: NodeJS.Timeout | undefined;
  if (opts.maxGapMs !== undefined && opts.maxGapMs > 0) {
    const gap = opts.maxGapMs;
    // Wall time minus monotonic time: constant unless the wall clock is stepped (NTP slewing
    // moves it by under a millisecond per second).
    let offset = Date.now() - performance.now();
    watchdog = setInterval(() => {
      const nowOffset = Date.now() - performance.now();
      if (!stopped && Math.abs(nowOffset - offset) > Math.max(1000, gap / 2)) {
        // node-cron keeps waiting for the slot it computed before the step: an hour back means
        // an hour of watchdog sweeps at half pace. Restarting the task recomputes the next slot.
        opts.log?.warn({ stepMs: Math.round(nowOffset - offset) }, 'wall clock stepped: schedule re-anchored to it');
        offset = nowOffset;
        Promise.resolve(task.stop())
          .then(() => (stopped ? undefined : task.start()))
          .catch((err: unknown) => opts.log?.warn({ err: String(err) }, 'could not re-anchor the schedule; the watchdog keeps sweeping'));
      }
      if (stopped || running || performance.now() - lastStart < 2 * gap) return;
      opts.log?.warn({ sinceLastSweepMs: Math.round(performance.now() - lastStart) }, 'no scheduled sweep for two intervals (wall clock jumped back?): sweeping now');
      trigger().catch(() => {});
    }, Math.min(gap, 10_000));
    watchdog.unref();
  }

  return {
    trigger,
    nextRunAt: () => (stopped ? undefined : task.getNextRun()?.getTime()),
    async stop(deadlineMs) {
      stopped = true;
      if (watchdog) clearInterval(watchdog);
      await task.stop();
      const current = running;
      if (!current) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          controller?.abort(new Error('shutting down'));
          resolve();
        }, deadlineMs);
      });
      await Promise.race([current.catch(() => {}), timeout]);
      clearTimeout(timer);
      await current.catch(() => {});
    },
  };
}
