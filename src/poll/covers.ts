// Pure: which List lists a resource (its kind and view, the List's parent parameters, its region).
import { parseArn } from '../aws/arn.js';
import { KINDS } from '../kinds/index.js';
import type { OperationParams, ParentKey } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { Source } from './spec.js';

export const inRegion = (s: Pick<ResourceSnapshot, 'arn'>, region: string | undefined): boolean =>
  region === undefined || s.arn === undefined || parseArn(s.arn)?.region === region;

/** Do a List's parameters (the parent ones) all equal the resource's parents? */
function paramsMatch(params: OperationParams, s: Pick<ResourceSnapshot, 'kind' | 'parents'>): boolean {
  const parents = KINDS[s.kind].parents;
  for (const [k, v] of Object.entries(params)) {
    if (Object.hasOwn(parents, k) && s.parents[k as ParentKey] !== v) return false;
  }
  return true;
}

/** Does this List (a planned one, or a source without per-parent expansion) list `s`? */
export function listCovers(
  list: Pick<Source, 'kind' | 'view' | 'params' | 'region'>,
  s: Pick<ResourceSnapshot, 'kind' | 'view' | 'parents' | 'arn'>,
): boolean {
  return s.kind === list.kind && s.view === list.view && paramsMatch(list.params, s) && inRegion(s, list.region);
}
