// Scale-out: each replica owns the jobs whose ARN hashes to its shard. sha256 is stable across
// Node versions, processes and restarts (unlike a seeded in-memory hash), so ownership moves only
// when the shard count changes.
import { createHash } from 'node:crypto';

export interface Shard {
  index: number;
  total: number;
}

/** The shard (0..total-1) that owns this ARN: first 4 bytes of sha256(arn) as a uint32, mod total. */
export function shardOf(arn: string, total: number): number {
  if (total <= 1) return 0;
  return createHash('sha256').update(arn).digest().readUInt32BE(0) % total;
}

export function ownsArn(shard: Shard | undefined, arn: string): boolean {
  return shard === undefined || shard.total <= 1 || shardOf(arn, shard.total) === shard.index;
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
