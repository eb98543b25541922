// Which shard watches a resource. Pure: from the spec (the shard of every discovery List, which
// each pod computes from the config alone: src/poll/shard.ts assignScopes) and the resource's own
// facts (kind, view, parents, ARN region: fixed once it exists), so every pod reaches the same
// answer without talking to the others.
//
// 1. A resource a discovery List covers goes with that List's shard. Where entries overlap and
//    several Lists cover it, the List with the smallest key decides, in every pod alike.
// 2. A static resource (`jobs:`) that no discovery List covers goes by the hash of its own id.
// 3. A resource found only through a per-parent List (an export job) goes with its parent: a
//    per-parent List is called by the shard that watches the parent, for the parents it watches.
// Anything else is watched by no shard (no rule of the config names it).
import type { ResourceSnapshot } from '../kinds/resource.js';
import { listCovers, type ResourceFacts } from './cover.js';
import { shardOf, type Shard } from './shard.js';
import type { Source } from './spec.js';

/** What ownership is decided from: the spec's Lists (with their shards), its statics and this replica's shard. */
export interface OwnershipRules {
  sources: readonly Source[];
  /** Every configured static id, this shard's or not. */
  staticIds: ReadonlySet<string>;
  /** Absent: one replica watches everything. */
  shard?: Shard | undefined;
}

/** The top-level (not per-parent) discovery Lists, ordered by key: the order every pod shares. */
export function topLevelByKey(sources: readonly Source[]): Source[] {
  return sources.filter((s) => !s.perParent).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The shard of each resource under `rules`, given what this replica knows (the parents of
 * per-parent children). undefined: no rule gives it a shard, or its parent is unknown here.
 */
export function owners(rules: OwnershipRules, known: ReadonlyMap<string, ResourceSnapshot>): (s: ResourceFacts) => number | undefined {
  const total = rules.shard?.total ?? 1;
  const top = topLevelByKey(rules.sources);
  const perParent = rules.sources.filter((s) => s.perParent);
  let byArn: Map<string, ResourceSnapshot> | undefined;
  const parentOf = (arn: string): ResourceSnapshot | undefined => {
    if (!byArn) {
      byArn = new Map();
      for (const s of known.values()) if (s.arn !== undefined && !byArn.has(s.arn)) byArn.set(s.arn, s);
    }
    return byArn.get(arn);
  };
  const memo = new Map<string, number | undefined>();
  const ownerOf = (s: ResourceFacts, depth: number): number | undefined => {
    if (memo.has(s.id)) return memo.get(s.id);
    let owner: number | undefined;
    const anchor = top.find((src) => listCovers(src, s));
    if (anchor) owner = total <= 1 ? 0 : (anchor.shard ?? 0);
    else if (rules.staticIds.has(s.id)) owner = shardOf(s.id, total);
    else if (depth < 3) {
      for (const src of perParent) {
        const p = s.parents[src.perParent!.key];
        if (p === undefined || !listCovers(src, s)) continue;
        const parent = parentOf(p);
        if (!parent || parent.id === s.id) continue;
        owner = ownerOf(parent, depth + 1);
        if (owner !== undefined) break;
      }
    }
    memo.set(s.id, owner);
    return owner;
  };
  return (s) => ownerOf(s, 0);
}

/** Is `s` watched by this replica? (Without shards: whenever a rule names it.) */
export function mineOf(rules: OwnershipRules, known: ReadonlyMap<string, ResourceSnapshot>): (s: ResourceFacts) => boolean {
  if (!rules.shard || rules.shard.total <= 1) return () => true;
  const index = rules.shard.index;
  const of = owners(rules, known);
  return (s) => of(s) === index;
}
