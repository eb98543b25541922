// Scale-out: the shards' union covers every job exactly once, stably; shard resolution from flags,
// a StatefulSet ordinal and the total from the environment or the config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownsArn, resolveShard, shardOf, ShardError } from '../../src/poll/shard.js';

const arns = Array.from(
  { length: 5000 },
  (_, i) =>
    `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${i.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-000000000000`,
);

test('every job is owned by exactly one of n shards, for n = 1..7, and the split is even', () => {
  for (let n = 1; n <= 7; n++) {
    const counts = new Array<number>(n).fill(0);
    for (const a of arns) {
      const owners = Array.from({ length: n }, (_, i) => i).filter((i) => ownsArn({ index: i, total: n }, a));
      assert.equal(owners.length, 1, `${a} owned once with ${n} shards`);
      counts[owners[0]!]!++;
    }
    for (const c of counts)
      assert.ok(Math.abs(c - arns.length / n) < (arns.length / n) * 0.15, `even split with n=${n}: ${counts.join(',')}`);
  }
});

test('the hash is stable (sha256 -> uint32 mod n): fixed values', () => {
  assert.equal(shardOf(arns[0]!, 1), 0);
  const fixed = arns.slice(0, 5).map((a) => shardOf(a, 3));
  assert.deepEqual(
    fixed,
    arns.slice(0, 5).map((a) => shardOf(a, 3)),
  );
  // sha256("x") starts with 2d711642 -> 762386498 -> mod 10 = 8
  assert.equal(shardOf('x', 10), 0x2d711642 % 10);
});

test('resolveShard: flags, StatefulSet ordinal + env/config total, and refusals', () => {
  assert.deepEqual(resolveShard({ flagIndex: 1, flagTotal: 3 }), { index: 1, total: 3 });
  assert.equal(resolveShard({ flagIndex: 0, flagTotal: 1 }), undefined);
  assert.equal(resolveShard({ hostname: 'crml-2' }), undefined, 'no total: unsharded');
  assert.deepEqual(resolveShard({ hostname: 'release-cleanroomsml-monitor-2', envTotal: '4' }), { index: 2, total: 4 });
  assert.deepEqual(resolveShard({ hostname: 'release-cleanroomsml-monitor-0', configTotal: 2 }), { index: 0, total: 2 });
  assert.deepEqual(resolveShard({ hostname: 'x-1', envTotal: '3', configTotal: 2 }), { index: 1, total: 3 }, 'env wins over config');
  assert.throws(() => resolveShard({ flagIndex: 3, flagTotal: 3 }), ShardError);
  assert.throws(() => resolveShard({ flagIndex: 1 }), /go together/);
  assert.throws(() => resolveShard({ hostname: 'laptop', envTotal: '3' }), /ordinal/);
  assert.throws(() => resolveShard({ hostname: 'x-5', envTotal: '3' }), /not below/);
  assert.throws(() => resolveShard({ hostname: 'x-0', envTotal: 'two' }), /CRML_TOTAL_SHARDS/);
});
