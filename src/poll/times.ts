// The time part of a sweep's decision, pure: what its transitions add to each resource's history,
// the phases they finished (the usual durations come from those), and which resources have now
// been in an under-way status for longer than their kind usually takes. Each transition is given
// what a notification says of it: the time spent in the status it left, the usual of that status,
// and the newest phases of the history.
import type { ResourceTransition } from '../kinds/event.js';
import { currentEntry, HISTORY_IN_EVENTS, historyStep, phasesOf, sinceOf, withEntry, type HistoryEntry } from '../kinds/history.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { statusClass } from '../kinds/statuses.js';
import { isSlower, usualLookup, type DurationSamples, type DurationSettings } from '../kinds/usual.js';
import type { HistoryUpdate, PhaseSample } from '../state/types.js';

/** What the state knows about time, and the settings that read it. */
export interface TimesInput {
  history(id: string): readonly HistoryEntry[] | undefined;
  durations: DurationSamples;
  settings: DurationSettings;
  /** Look for resources slower than usual (the main pass of a sweep; not the backfill). */
  checkSlower: boolean;
}

export interface Times {
  /** The transitions given their times, then one slower_than_usual per resource that just became slower. */
  transitions: ResourceTransition[];
  history: HistoryUpdate[];
  durations: { keep: number; add: PhaseSample[] };
}

/**
 * `transitions` (from `before` to what the sweep stores) with their times; `after` is every
 * resource as stored once the sweep's changes apply.
 */
export function timesOf(
  transitions: readonly ResourceTransition[],
  before: ReadonlyMap<string, ResourceSnapshot>,
  after: Iterable<ResourceSnapshot>,
  input: TimesInput,
  now: number,
): Times {
  const usual = usualLookup(input.durations, input.settings);
  // The histories this sweep changes, as they become (a resource can change twice in one commit: rare).
  const changed = new Map<string, HistoryEntry[] | undefined>();
  const historyOf = (id: string) => (changed.has(id) ? changed.get(id) : input.history(id));
  const updates: HistoryUpdate[] = [];
  const add: PhaseSample[] = [];
  const out: ResourceTransition[] = [];
  const record = (id: string, entry: HistoryEntry): HistoryEntry[] => {
    const h = withEntry(historyOf(id), entry, id);
    changed.set(id, h);
    updates.push({ id, entry });
    return h;
  };
  const phases = (h: readonly HistoryEntry[], kind: ResourceSnapshot['kind']) =>
    phasesOf(h.slice(-HISTORY_IN_EVENTS), (status) => usual(kind, status));

  for (const t of transitions) {
    if (t.kind !== 'status_changed' && t.kind !== 'first_seen') {
      out.push(t);
      continue;
    }
    const kind = t.snapshot.kind;
    const step = historyStep(historyOf(t.id), before.get(t.id), t);
    let h: HistoryEntry[] = [];
    for (const e of step.entries) h = record(t.id, e);
    if (step.ended) add.push({ kind, status: step.ended.status, seconds: step.ended.seconds });
    // The usual of the status left, as it was before this phase joined the samples.
    const u = t.from === null ? undefined : usual(kind, t.from);
    out.push({
      ...t,
      ...(step.ended ? { durationSeconds: step.ended.seconds } : {}),
      ...(u && t.kind === 'status_changed' ? { usual: u } : {}),
      history: phases(h, kind),
    });
  }

  if (input.checkSlower) {
    for (const s of after) {
      if (statusClass(s.status) !== 'inProgress') continue;
      const u = usual(s.kind, s.status);
      if (!isSlower(s.status, sinceOf(s), now, u, input.settings)) continue;
      const entry = currentEntry(historyOf(s.id), s);
      if (entry.slowerAt !== undefined) continue;
      const h = record(s.id, { ...entry, slowerAt: Math.round(now) });
      out.push({
        kind: 'slower_than_usual',
        id: s.id,
        from: s.status,
        to: s.status,
        observedAt: now,
        snapshot: s,
        inStatusSeconds: Math.max(0, Math.round((now - sinceOf(s)) / 1000)),
        ...(u ? { usual: u } : {}),
        history: phases(h, s.kind),
      });
    }
  }
  return { transitions: out, history: updates, durations: { keep: input.settings.samples, add } };
}
