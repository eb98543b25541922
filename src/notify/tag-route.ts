// Pure: the part of routing that reads AWS tags. Given the targets whose other filters (kinds,
// statuses, name pattern, collaborations) let an event through, which of them take it:
//
// - a target with a `tags` selector takes it when the resource's tags match the selector (every
//   key present, with one of its values; '*' any value);
// - a target without a selector takes it (tags do not concern it);
// - a `fallback: true` target takes it only when no target with a selector took it. "Took" means
//   exactly that: a target with a selector that matched the tags and whose other filters matched
//   too, so it gets an outbox entry for this event. A selector target that would match the tags but
//   filters the event out by kind or status does not take it from the fallback.
//
// The resource's tags are its own or those it inherits (src/kinds/tags.ts); a resource whose tags
// are not known matches no selector, so its events go to the targets without one and to fallbacks.
import { matchesTagSelector, type TagSelector } from '../config/tag-selector.js';
import type { Tags } from '../kinds/tags.js';

/** What a target says about tags: a selector, or that it is a fallback (never both: the schema refuses it). */
export interface TagRoutable {
  tags?: TagSelector | undefined;
  fallback?: boolean | undefined;
}

/** The targets (of `candidates`, in their order) that take an event about a resource carrying `tags`. */
export function takeByTags<T extends TagRoutable>(candidates: readonly T[], tags: Tags | undefined): T[] {
  const taken = candidates.filter((t) => t.tags !== undefined && matchesTagSelector(t.tags, tags));
  const fallbackTakes = taken.length === 0;
  return candidates.filter((t) => (t.tags !== undefined ? taken.includes(t) : t.fallback === true ? fallbackTakes : true));
}
