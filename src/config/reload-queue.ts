// Config reloads, one at a time. A reload stops the outbox worker (and, when the schedule changed,
// the scheduler) and starts their successors; two reloads side by side would each stop the same
// old ones and start their own, leaving extra workers sending every notification again and extra
// schedulers sweeping. So a reload never starts while another runs: the requests that arrive
// meanwhile fold into exactly one more reload, started when the running one ends, which reads the
// file as it is then (of several requests' arguments, the last wins). A storm of signals thus
// costs at most the running reload and one more, and the last file written is the one in force.
// No timers and no I/O: the reload itself is injected.

export interface ReloadQueue<A> {
  /**
   * Reload with `arg` now, or after the running reload (folded with every other request made
   * meanwhile). Resolves with the result of the reload that covers this request; false when the
   * queue was closed before that reload started.
   */
  request(arg: A): Promise<boolean>;
  /** No reload starts any more; resolves when the running one (if any) has ended. */
  close(): Promise<void>;
  /** True once close() was called: a running reload checks it before starting anything new. */
  readonly closed: boolean;
  /** Requests folded into a later reload so far (they did not cause one of their own). */
  readonly folded: number;
}

interface Next<A> {
  arg: A;
  waiters: Array<{ resolve: (ok: boolean) => void; reject: (err: unknown) => void }>;
}

export function createReloadQueue<A>(run: (arg: A) => Promise<boolean>): ReloadQueue<A> {
  let running: Promise<void> | undefined;
  let next: Next<A> | undefined;
  let closed = false;
  let folded = 0;

  const drain = async (): Promise<void> => {
    while (next && !closed) {
      const { arg, waiters } = next;
      next = undefined;
      try {
        const ok = await run(arg);
        for (const w of waiters) w.resolve(ok);
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    // Closed while requests waited: they never ran.
    for (const w of next?.waiters ?? []) w.resolve(false);
    next = undefined;
    running = undefined;
  };

  return {
    get closed() {
      return closed;
    },
    get folded() {
      return folded;
    },
    request(arg) {
      if (closed) return Promise.resolve(false);
      return new Promise<boolean>((resolve, reject) => {
        if (next) {
          next.arg = arg;
          next.waiters.push({ resolve, reject });
          folded++;
        } else {
          next = { arg, waiters: [{ resolve, reject }] };
        }
        running ??= drain();
      });
    },
    async close() {
      closed = true;
      await running;
    },
  };
}
