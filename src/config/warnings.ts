// Pure: what in a valid config deserves a word without being an error. A `statuses:` word that no
// kind's model lists is allowed (AWS adds status values, and a target may wait for one before a
// release knows it) but is also what a typo looks like, so check-config and the daemon's start
// say so.
import { VANISHED } from '../domain.js';
import { isKnownStatus, STATUS_CLASSES, statusClass } from '../kinds/index.js';
import type { LocatedIssue } from './errors.js';
import type { Config } from './schema.js';
import { tagWarnings } from './tag-warnings.js';

export function configWarnings(c: Pick<Config, 'notifications' | 'jobs' | 'discovery'>): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  if (c.jobs.length > 0)
    out.push({
      path: 'jobs',
      segments: ['jobs'],
      message: 'jobs is deprecated: rename it to resources (same entries); jobs is read until the next minor release (CHANGELOG.md)',
    });
  c.notifications.targets.forEach((t, i) => {
    t.statuses.forEach((s, j) => {
      if (s === VANISHED || (STATUS_CLASSES as readonly string[]).includes(s) || isKnownStatus(s)) return;
      const hint = s === 'SUCCEEDED' ? ' (success is ACTIVE; there is no SUCCEEDED)' : '';
      out.push({
        path: `notifications.targets[${i}].statuses[${j}]`,
        segments: ['notifications', 'targets', i, 'statuses', j],
        message: `${s} is not a status of any kind in this release's model${hint}; it is matched as AWS may send it (class ${statusClass(s)})`,
      });
    });
  });
  out.push(...tagWarnings(c));
  return out;
}
