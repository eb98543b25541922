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
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let stopped = false;

  const trigger = async (): Promise<boolean> => {
    if (stopped) return false;
    if (running) {
      opts.onSkip();
      return false;
    }
    controller = new AbortController();
    running = opts.sweep(controller.signal).finally(() => {
      running = undefined;
    });
    await running;
    return true;
  };

  const task = cron.schedule(opts.schedule, () => {
    // The sweep reports its own failures; a rejected promise here must never crash the process.
    trigger().catch(() => {});
  });
  if (opts.runAtStart !== false) trigger().catch(() => {});

  return {
    trigger,
    nextRunAt: () => (stopped ? undefined : task.getNextRun()?.getTime()),
    async stop(deadlineMs) {
      stopped = true;
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
