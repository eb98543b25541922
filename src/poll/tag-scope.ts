// Pure: the discovery entries' `tags` filters. A discovered resource is watched (exported,
// shown, notified) when one discovery List that lists it has no filter, or has one its tags
// match; a resource named in `jobs:` always is. One that matches no filter is still stored,
// marked `tagFiltered`, so the Get that read its tags is not repeated every sweep and its tags are
// refreshed like any other's: when they come to match, it is first seen then (and notified as
// such); when they stop matching, its series and views go and nothing is sent.
import { matchesTagSelector } from '../config/tag-selector.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { getCarriesTags } from '../kinds/tags.js';
import { KINDS } from '../kinds/index.js';
import { listCovers } from './cover.js';
import type { Source } from './spec.js';

/** The watching rules tag filters read. */
interface Watch {
  sources: readonly Source[];
  statics: ReadonlyMap<string, unknown>;
}

/** Does the resource fall outside every tag filter of the Lists that list it? */
export type TagScope = (s: ResourceSnapshot) => boolean;

/** Undefined when no discovery entry filters by tags (nothing is ever outside). */
export function tagScope(watch: Watch): TagScope | undefined {
  if (!watch.sources.some((src) => src.tagFilters !== undefined)) return undefined;
  return (s) => {
    if (watch.statics.has(s.id)) return false;
    let covered = false;
    for (const src of watch.sources) {
      if (!listCovers(src, s)) continue;
      covered = true;
      if (src.tagFilters === undefined || src.tagFilters.some((sel) => matchesTagSelector(sel, s.tags))) return false;
    }
    return covered;
  };
}

/**
 * Must a resource first seen in a List be read (its Get carries its tags) before it can be
 * adopted? True when a tag filter decides whether it is watched and its own Get would tell.
 */
export function needsTagsFirst(s: ResourceSnapshot, watch: Watch): boolean {
  if (watch.statics.has(s.id) || !getCarriesTags(KINDS[s.kind], s.view)) return false;
  let filtered = false;
  for (const src of watch.sources) {
    if (!listCovers(src, s)) continue;
    if (src.tagFilters === undefined) return false;
    filtered = true;
  }
  return filtered;
}
