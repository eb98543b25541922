// Pure: what in a valid config's tag routing deserves a word without being an error.
import type { LocatedIssue } from './errors.js';
import type { Config } from './schema.js';

export function tagWarnings(c: Pick<Config, 'notifications' | 'discovery'>): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  const targets = c.notifications.targets;
  if (!targets.some((t) => t.tags !== undefined))
    targets.forEach((t, i) => {
      if (t.fallback)
        out.push({
          path: `notifications.targets[${i}].fallback`,
          segments: ['notifications', 'targets', i, 'fallback'],
          message: 'no target selects by tags, so this fallback target gets every event its other filters let through',
        });
    });
  c.discovery.forEach((d, i) => {
    if (d.tags !== undefined && d.view === 'collaboration')
      out.push({
        path: `discovery[${i}].tags`,
        segments: ['discovery', i, 'tags'],
        message:
          "resources read through the collaboration view carry no tags (their Get is not ours), except those inheriting a watched parent's: this filter may match nothing",
      });
  });
  return out;
}
