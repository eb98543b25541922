// `outbox list` / `outbox retry` / `outbox discard`: dead letters are kept in the state dir. When a
// monitor is running it owns that dir (lock), so the command asks it over its admin listener
// (server.admin, on loopback in the same pod); otherwise it
// opens the store itself.
import type { Config } from '../config/schema.js';
import { createLogger } from '../log.js';
import { systemClock } from '../clock.js';
import { openState } from '../app.js';
import { StateLockedError } from '../state/lock.js';
import { outboxView } from '../http/views.js';
import { adminBaseUrl } from '../http/admin-address.js';

interface OutboxArgs {
  sub: 'list' | 'retry' | 'discard';
  ids: string[];
  all: boolean;
  json: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

type View = ReturnType<typeof outboxView>;

function daemonUrl(config: Config): string {
  const url = adminBaseUrl(config.server.admin);
  if (url === undefined || config.server.admin.port === 0) {
    throw new Error(
      'a monitor is running on this state dir and its admin listener is off or has no fixed port (server.admin); set server.admin.port, or stop the monitor',
    );
  }
  return url;
}

function printList(v: View, a: OutboxArgs): void {
  if (a.json) return a.out(`${JSON.stringify(v, null, 2)}\n`);
  a.out(`pending: ${v.pending.length}\n`);
  for (const e of v.pending)
    a.out(
      `  ${e.id}  ${e.target}  ${e.name} ${e.previousStatus ?? '(new)'} -> ${e.status}  attempts=${e.attempts}${e.lastError ? `  last error: ${e.lastError}` : ''}\n`,
    );
  a.out(`dead letters: ${v.deadLetters.length}\n`);
  for (const d of v.deadLetters) a.out(`  ${d.id}  ${d.target}  ${d.name} -> ${d.status}  dead since ${d.deadAt}: ${d.reason}\n`);
}

export async function runOutboxCommand(config: Config, a: OutboxArgs): Promise<number> {
  if (a.sub !== 'list' && !a.all && a.ids.length === 0) {
    a.err(`outbox ${a.sub} needs event ids (evt_...) or --all\n`);
    return 2;
  }
  if (a.sub !== 'list' && a.all && a.ids.length > 0) {
    a.err(`outbox ${a.sub} takes event ids or --all, not both\n`);
    return 2;
  }
  let store: Awaited<ReturnType<typeof openState>>;
  try {
    store = await openState(config, { clock: systemClock, log: createLogger({ level: 'warn', destination: process.stderr }) });
  } catch (e) {
    if (!(e instanceof StateLockedError)) throw e;
    // A monitor is running: go through its API.
    const base = daemonUrl(config);
    if (a.sub === 'list') {
      const res = await fetch(`${base}/api/outbox`);
      if (!res.ok) throw new Error(`monitor at ${base} answered HTTP ${res.status}`);
      printList((await res.json()) as View, a);
      return 0;
    }
    const res = await fetch(`${base}/api/outbox/${a.sub}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(a.all ? { all: true } : { ids: a.ids }),
    });
    if (!res.ok) throw new Error(`monitor at ${base} answered HTTP ${res.status}: ${(await res.text()).trim()}`);
    if (a.sub === 'discard') {
      const { discarded } = (await res.json()) as { discarded: number };
      a.out(`discarded ${discarded} dead letter(s)\n`);
      return discarded === 0 && !a.all ? 1 : 0;
    }
    const { requeued } = (await res.json()) as { requeued: number };
    a.out(`re-queued ${requeued} dead letter(s); the running monitor delivers them now\n`);
    return 0;
  }
  try {
    if (a.sub === 'list') {
      printList(outboxView(store.pending(), store.deadLetters()), a);
      return 0;
    }
    if (a.sub === 'discard') {
      const n = await store.discardDeadLetters(a.all ? 'all' : a.ids);
      a.out(`discarded ${n} dead letter(s)\n`);
      return n === 0 && !a.all ? 1 : 0;
    }
    const n = await store.retryDeadLetters(a.all ? 'all' : a.ids, systemClock.now());
    a.out(`re-queued ${n} dead letter(s); they are delivered when the monitor next runs\n`);
    return n === 0 && !a.all ? 1 : 0;
  } finally {
    await store.close();
  }
}
