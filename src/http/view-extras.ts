// What the state knows of a resource beyond its snapshot, for the views (src/http/resource-view.ts):
// its last status change and history from the recorded history, and whether it is slower than
// usual now. Pure; one home for `run` (the admin API and the page) and the `history` command
// reading a state dir. The usual durations are worked out once per call of viewExtras, so a list
// of 10,000 rows sorts each kind's samples once, not once per row.
import { lastChange, phasesOf, sinceOf, type HistoryEntry } from '../kinds/history.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { isSlower, usualLookup, type DurationSamples, type DurationSettings } from '../kinds/usual.js';
import type { ViewExtras } from './resource-view.js';

export interface TimesSource {
  history(id: string): readonly HistoryEntry[] | undefined;
  durations(): DurationSamples;
}

/** The extras of each resource, at `now`; with `withHistory`, its phases with durations (the detail view). */
export function viewExtras(
  src: TimesSource,
  settings: DurationSettings,
  now: number,
): (s: ResourceSnapshot, withHistory?: boolean) => ViewExtras {
  const usual = usualLookup(src.durations(), settings);
  return (s, withHistory = false) => {
    const h = src.history(s.id) ?? [];
    const t = lastChange(h);
    const u = usual(s.kind, s.status);
    return {
      ...(t && t.to === s.status ? { lastTransition: t } : {}),
      ...(u && isSlower(s.status, sinceOf(s), now, u, settings)
        ? { slowerThanUsual: { usualP50Seconds: u.p50Seconds, usualP90Seconds: u.p90Seconds, samples: u.samples } }
        : {}),
      ...(withHistory ? { history: phasesOf(h, (status) => usual(s.kind, status)) } : {}),
    };
  };
}
