// Scenario `resources:` entries: resources of any kind but JOB_KIND (those go under `jobs:`,
// jobs-view.ts) moving along a timeline relative to simulator start, like jobs do:
//   resources:
//     - kind: trainedModel
//       name: churn-model
//       membershipId: 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
//       stoppingCondition: { maxRuntimeInSeconds: 3600 }
//       timeline:
//         - { at: 0s, status: CREATE_PENDING }
//         - { at: 30s, status: CREATE_IN_PROGRESS }
//         - { at: 2m, status: ACTIVE }
// Every other key is what PUT /_sim/resources takes; createTime is the first step's time and
// updateTime the current step's. Timeline statuses must be values of the kind's status enum.
import { formatIsoTimestamp } from '../../timestamps.js';
import { isKindName, KINDS } from '../../kinds/index.js';
import { parseDuration } from './duration.js';
import { JOB_KIND } from './job-kind.js';
import { checkRenders, parseStatusDetails, resourceFromControl } from './resource-kinds.js';
import type { ResourceStep, SimResource } from './resource-store.js';
import { SimInputError } from './schemas.js';

export function scenarioResources(items: readonly unknown[], startedAt: number, uuid: () => string): SimResource[] {
  const ids = new Map<string, number>();
  return items.map((item, i) => {
    const where = `resources[${i}]`;
    const fail = (field: string, msg: string): never => {
      throw new SimInputError(`invalid resources:\n${where}.${field}: ${msg}`);
    };
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new SimInputError(`invalid resources:\n${where}: must be an object`);
    const { timeline, ...rest } = item as Record<string, unknown>;
    if (rest['kind'] === JOB_KIND.kind) fail('kind', `${JOB_KIND.title}s go under jobs:`);
    for (const k of ['status', 'statusDetails', 'createTime', 'updateTime']) if (k in rest) fail(k, 'is set by the timeline');
    if (!Array.isArray(timeline) || timeline.length === 0) return fail('timeline', 'must have at least one step');
    const kind = isKindName(rest['kind']) ? KINDS[rest['kind']] : undefined;
    let prev = -Infinity;
    const steps: ResourceStep[] = timeline.map((raw, k) => {
      const at = `timeline[${k}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(at, 'must be an object {at, status, statusDetails?}');
      const st = raw as Record<string, unknown>;
      for (const key of Object.keys(st))
        if (!['at', 'status', 'statusDetails'].includes(key)) fail(`${at}.${key}`, 'unknown key (at, status, statusDetails)');
      const d = parseDuration(st['at']);
      if (d === undefined) return fail(`${at}.at`, 'must be a duration such as "0s", "45s", "1m30s", "-2h" or a number of seconds');
      if (d <= prev) fail(`${at}.at`, `must be later than timeline[${k - 1}].at`);
      prev = d;
      const status = st['status'];
      // Scenario files are written by hand: a status outside the kind's enum is more likely a typo
      // than a future value (the control API takes any status, to play those).
      if (typeof status !== 'string' || (kind && !kind.statuses.includes(status))) {
        return fail(`${at}.status`, `must be one of ${kind ? kind.statuses.join(', ') : "the kind's statuses"}`);
      }
      const step: ResourceStep = { t: startedAt + d, status };
      if (st['statusDetails'] !== undefined)
        step.statusDetails = parseStatusDetails(st['statusDetails'], (msg) => fail(`${at}.statusDetails`, msg));
      return step;
    });
    const t0 = steps[0]!.t;
    const r = resourceFromControl(
      { ...rest, status: steps[0]!.status, createTime: formatIsoTimestamp(t0), updateTime: formatIsoTimestamp(t0) },
      where,
      {
        now: t0,
        uuid,
        existing: () => undefined,
      },
    );
    r.steps = steps;
    checkRenders(KINDS[r.kind], r, where);
    const first = ids.get(r.id);
    if (first !== undefined) fail('name', `resources[${first}] has the same id ${r.id}`);
    ids.set(r.id, i);
    return r;
  });
}
