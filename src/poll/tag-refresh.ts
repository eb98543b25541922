// Pure: when a watched resource's own tags are read again. Tags change without a status change
// (and without a new updateTime), so neither a List nor the Gets it triggers would see a retag:
// each resource whose Get carries tags is read again at most `tags.refreshInterval` after its
// tags were last read. Each resource has a fixed phase in the interval (a hash of its id), and is
// due at the first phase point after its last read, so resources read together (at start, after
// a discovery) are refreshed spread evenly over the interval instead of in one burst, and in
// steady state each is read exactly once per interval.
import type { ResourceSnapshot } from '../kinds/resource.js';
import { KINDS } from '../kinds/index.js';
import { getCarriesTags } from '../kinds/tags.js';

/**
 * A stable fraction in [0, 1) of an id: FNV-1a, then MurmurHash3's 32-bit finalizer, so ids that
 * differ only in their last characters (UUIDs of one account) still spread over the whole range.
 */
export function phaseOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * When the resource's tags are next due to be read (epoch ms); undefined when they never are on
 * their own (interval 0, or its Get carries no tags). Never read yet: due now.
 */
export function tagsRefreshAt(
  s: Pick<ResourceSnapshot, 'id' | 'kind' | 'view' | 'tagsReadAt'>,
  intervalMs: number,
  now: number,
): number | undefined {
  if (intervalMs <= 0 || !getCarriesTags(KINDS[s.kind], s.view)) return undefined;
  if (s.tagsReadAt === undefined) return now;
  const phase = phaseOf(s.id) * intervalMs;
  return phase + (Math.floor((s.tagsReadAt - phase) / intervalMs) + 1) * intervalMs;
}
