// `history ID --config FILE [--json]`: one watched resource and every status the monitor knows it
// was in, oldest first, with the time each phase took against its usual. When a monitor is running
// it owns the state dir (lock), so the command asks it over its admin listener, as `outbox` does;
// otherwise it reads the state dir itself. The same ResourceView either way (src/http/resource-view.ts).
import { openState } from '../app.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/schema.js';
import { adminBaseUrl } from '../http/admin-address.js';
import { resourceDetailView, type ResourceView } from '../http/resource-view.js';
import { viewExtras } from '../http/view-extras.js';
import { createLogger } from '../log.js';
import { sweepSpec } from '../poll/spec.js';
import { StateLockedError } from '../state/lock.js';
import { formatDuration, formatTime } from '../targets/text.js';

interface HistoryArgs {
  id: string;
  json: boolean;
  out: (s: string) => void;
  err: (s: string) => void;
}

type Found = { view: ResourceView } | { error: string };

/** The resource as the running monitor's admin API gives it. */
async function fromDaemon(config: Config, id: string): Promise<Found> {
  const base = adminBaseUrl(config.server.admin);
  if (base === undefined || config.server.admin.port === 0)
    throw new Error(
      'a monitor is running on this state dir and its admin listener is off or has no fixed port (server.admin); set server.admin.port, or stop the monitor',
    );
  const res = await fetch(`${base}/api/resources/${encodeURIComponent(id)}`);
  if (res.status === 404) return { error: ((await res.json()) as { error: string }).error };
  if (!res.ok) throw new Error(`monitor at ${base} answered HTTP ${res.status}: ${(await res.text()).trim().slice(0, 300)}`);
  return { view: (await res.json()) as ResourceView };
}

/** The resource as the state dir holds it (no monitor running). */
async function fromStateDir(config: Config, store: Awaited<ReturnType<typeof openState>>, id: string): Promise<Found> {
  const s = store.resources().get(id);
  if (!s) return { error: `no resource with the id ${JSON.stringify(id)} in the state dir ${config.state.dir}` };
  const now = systemClock.now();
  const source = sweepSpec(config).statics.has(id) ? 'static' : 'discovery';
  return { view: resourceDetailView(s, { runtime: undefined, source }, viewExtras(store, config.durations, now)(s, true), now) };
}

const dur = (seconds: number) => formatDuration(seconds * 1000);

function printText(v: ResourceView, out: (s: string) => void): void {
  out(`${v.name} (${v.kind}${v.versionIdentifier !== undefined ? ` version ${v.versionIdentifier}` : ''})\n${v.id}\n`);
  out(`${v.status} since ${formatTime(Date.parse(v.since))} (${dur(v.inStatusSeconds)})\n`);
  const slow = v.slowerThanUsual;
  if (slow)
    out(`slower than usual: usually ${dur(slow.usualP50Seconds)}, 9 in 10 within ${dur(slow.usualP90Seconds)} (${slow.samples} phases)\n`);
  if (v.failure)
    out(`failure: ${v.failure.statusCode ?? ''}${v.failure.statusCode && v.failure.message ? ': ' : ''}${v.failure.message ?? ''}\n`);
  const history = v.history ?? [];
  out(`\nhistory, oldest first (${history.length}):\n`);
  const width = Math.max(6, ...history.map((e) => e.status.length));
  history.forEach((e, i) => {
    const took =
      e.durationSeconds !== undefined
        ? `took ${dur(e.durationSeconds)}${e.usual ? ` (usual ${dur(e.usual.p50Seconds)})` : ''}`
        : i === history.length - 1
          ? `current, ${dur(v.inStatusSeconds)} so far${e.usual ? ` (usual ${dur(e.usual.p50Seconds)})` : ''}`
          : 'not measured (began before the monitor saw it)';
    const why = e.statusCode !== undefined || e.message !== undefined ? `  ${[e.statusCode, e.message].filter(Boolean).join(': ')}` : '';
    out(`  ${formatTime(Date.parse(e.startedAt))}  ${e.status.padEnd(width)}  ${took}${why}\n`);
  });
}

/** Exit 0 with the resource printed; 1 when no watched resource has the id. */
export async function historyCommand(config: Config, a: HistoryArgs): Promise<number> {
  let found: Found;
  let store: Awaited<ReturnType<typeof openState>> | undefined;
  try {
    store = await openState(config, { clock: systemClock, log: createLogger({ level: 'warn', destination: process.stderr }) });
  } catch (e) {
    if (!(e instanceof StateLockedError)) throw e;
  }
  try {
    found = store ? await fromStateDir(config, store, a.id) : await fromDaemon(config, a.id);
  } finally {
    await store?.close();
  }
  if ('error' in found) {
    a.err(`${found.error}\n`);
    return 1;
  }
  if (a.json) a.out(`${JSON.stringify(found.view, null, 2)}\n`);
  else printText(found.view, a.out);
  return 0;
}
