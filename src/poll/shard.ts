// Scale-out: replicas split the work by List scope. Every pod computes the same assignment from
// the config alone (the pods never talk to each other): each List a discovery entry calls belongs
// to one shard, and what a List finds (children included) is watched by that List's shard.
// sha256 is stable across Node versions, processes and restarts (unlike a seeded in-memory hash),
// so the assignment moves only when the config or the shard count changes.
import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  total: number;
}

const hash32 = (s: string): number => createHash('sha256').update(s).digest().readUInt32BE(0);

/** The shard (0..total-1) of an id by its own hash: first 4 bytes of sha256(id) as a uint32, mod total. */
export function shardOf(id: string, total: number): number {
  if (total <= 1) return 0;
  return hash32(id) % total;
}

/** A List scope to place: its key, and the group whose Lists are expected to be alike in size (its kind). */
export interface ScopeToPlace {
  key: string;
  group: string;
}

/**
 * Which shard owns each List scope. Pure and deterministic: the same scopes (in any order) and
 * total give the same answer in every pod.
 *
 * A pod cannot know how many resources a List holds before it calls it, and pods do not talk, so
 * the balance is by what the config tells: the number of Lists, per group (Lists of one kind,
 * e.g. the audience generation jobs of eight collaborations, are far more alike in size than Lists
 * of different kinds) and overall. Within a group every shard gets floor or ceil of its share;
 * the shards that take the extra Lists of a group are the ones with the fewest Lists so far.
 * Which List goes to which of those shards is a rendezvous choice (the highest sha256 of
 * list + shard among the shards with room), so adding or removing one List moves few others.
 */
export function assignScopes(scopes: readonly ScopeToPlace[], total: number): Map<string, number> {
  const out = new Map<string, number>();
  const unique = new Map<string, string>();
  for (const s of scopes) if (!unique.has(s.key)) unique.set(s.key, s.group);
  if (total <= 1) {
    for (const key of unique.keys()) out.set(key, 0);
    return out;
  }
  const groups = new Map<string, string[]>();
  for (const [key, group] of unique) {
    const g = groups.get(group);
    if (g) g.push(key);
    else groups.set(group, [key]);
  }
  // Larger groups first (they decide the balance most), then by name: an order every pod shares.
  const order = [...groups].sort(([a, ka], [b, kb]) => kb.length - ka.length || (a < b ? -1 : a > b ? 1 : 0));
  const load = new Array<number>(total).fill(0);
  const score = (key: string, shard: number) => hash32(`${key}\u0000${shard}`);
  for (const [group, keys] of order) {
    const base = Math.floor(keys.length / total);
    const extra = keys.length % total;
    // The `extra` shards with the fewest Lists so far take one more of this group (ties: rendezvous on the group).
    const byLoad = Array.from({ length: total }, (_, j) => j).sort(
      (a, b) => load[a]! - load[b]! || score(group, b) - score(group, a) || a - b,
    );
    const room = new Array<number>(total).fill(base);
    for (const j of byLoad.slice(0, extra)) room[j]!++;
    // Keys in an order of their own hash (not the config's order), each to its best shard with room.
    const sorted = [...keys].sort((a, b) => hash32(a) - hash32(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const key of sorted) {
      let best = -1;
      let bestScore = -1;
      for (let j = 0; j < total; j++) {
        if (room[j]! <= 0) continue;
        const sc = score(key, j);
        if (sc > bestScore || (sc === bestScore && j < best)) {
          best = j;
          bestScore = sc;
        }
      }
      out.set(key, best);
      room[best]!--;
      load[best]!++;
    }
  }
  return out;
}

/** The ordinal of a StatefulSet pod from its hostname (`name-3` -> 3), or undefined. */
export function ordinalFromHostname(hostname: string | undefined): number | undefined {
  const m = /-(\d+)$/.exec(hostname ?? '');
  return m ? Number(m[1]) : undefined;
}

export class ShardError extends Error {}

/**
 * Resolve the shard from (in order) explicit flags, then a StatefulSet ordinal in HOSTNAME with
 * the total from `envTotal` or `configTotal`. No total (or total 1): unsharded.
 */
export function resolveShard(i: {
  flagIndex?: number | undefined;
  flagTotal?: number | undefined;
  hostname?: string | undefined;
  envTotal?: string | undefined;
  configTotal?: number | undefined;
}): Shard | undefined {
  if (i.flagIndex !== undefined || i.flagTotal !== undefined) {
    if (i.flagIndex === undefined || i.flagTotal === undefined) throw new ShardError('--shard and --total-shards go together');
    if (i.flagTotal < 1) throw new ShardError('--total-shards must be at least 1');
    if (i.flagIndex >= i.flagTotal)
      throw new ShardError(`--shard must be below --total-shards (0..${i.flagTotal - 1}), got ${i.flagIndex}`);
    return i.flagTotal > 1 ? { index: i.flagIndex, total: i.flagTotal } : undefined;
  }
  let total = i.configTotal;
  if (i.envTotal !== undefined && i.envTotal !== '') {
    const n = Number(i.envTotal);
    if (!Number.isInteger(n) || n < 1) throw new ShardError(`CRML_TOTAL_SHARDS must be a whole number >= 1, got "${i.envTotal}"`);
    total = n;
  }
  if (total === undefined || total <= 1) return undefined;
  const index = ordinalFromHostname(i.hostname);
  if (index === undefined)
    throw new ShardError(
      `sharding over ${total} shards needs --shard, or a StatefulSet pod hostname ending in -<ordinal> (HOSTNAME is "${i.hostname ?? ''}")`,
    );
  if (index >= total) throw new ShardError(`pod ordinal ${index} is not below the total of ${total} shards`);
  return { index, total };
}
