// Scale-out: static resources split by their id hash, evenly and stably; discovery Lists placed
// on shards balanced per kind and overall, the same in every pod whatever the config's order, and
// moving few when a List is added or the shard count changes; shard resolution from flags, a
// StatefulSet ordinal and the total from the environment or the config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, rngInt } from '../../src/dev/sim/prng.js';
import { assignScopes, resolveShard, shardOf, ShardError, type ScopeToPlace } from '../../src/poll/shard.js';

const arns = Array.from(
  { length: 5000 },
  (_, i) =>
    `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${i.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-000000000000`,
);

test('a static resource goes to one of n shards by its id, for n = 1..7, and the split is even', () => {
  for (let n = 1; n <= 7; n++) {
    const counts = new Array<number>(n).fill(0);
    for (const a of arns) {
      const s = shardOf(a, n);
      assert.ok(Number.isInteger(s) && s >= 0 && s < n);
      counts[s]!++;
    }
    for (const c of counts)
      assert.ok(Math.abs(c - arns.length / n) < (arns.length / n) * 0.15, `even split with n=${n}: ${counts.join(',')}`);
  }
});

test('the hash is stable (sha256 -> uint32 mod n): fixed values', () => {
  assert.equal(shardOf(arns[0]!, 1), 0);
  // sha256("x") starts with 2d711642 = 762385986, mod 10 = 6.
  assert.equal(shardOf('x', 10), 0x2d711642 % 10);
  assert.equal(shardOf('x', 10), 6);
});

const placedCounts = (placed: Map<string, number>, scopes: readonly ScopeToPlace[], total: number, group?: string) => {
  const c = new Array<number>(total).fill(0);
  for (const s of scopes) if (group === undefined || s.group === group) c[placed.get(s.key)!]!++;
  return c;
};

test('Lists are placed on shards balanced per kind (floor or ceil of each share) and overall (max - min <= 1)', () => {
  const rng = createRng(42);
  for (let t = 0; t < 300; t++) {
    const total = rngInt(rng, 1, 8);
    const groups = ['audienceGenerationJob', 'trainedModel', 'mlInputChannel'].slice(0, rngInt(rng, 1, 3));
    const scopes = Array.from({ length: rngInt(rng, 0, 40) }, (_, i) => ({ key: `k${t}|${i}`, group: groups[i % groups.length]! }));
    const placed = assignScopes(scopes, total);
    assert.equal(placed.size, scopes.length);
    for (const g of groups) {
      const c = placedCounts(placed, scopes, total, g);
      const n = scopes.filter((s) => s.group === g).length;
      for (const x of c) assert.ok(x === Math.floor(n / total) || x === Math.ceil(n / total), `group ${g}: ${c.join(',')}`);
    }
    const all = placedCounts(placed, scopes, total);
    assert.ok(Math.max(...all) - Math.min(...all) <= 1, `overall ${all.join(',')}`);
  }
});

test('every pod places them alike: the order of the config does not matter, and a duplicate key counts once', () => {
  const scopes = Array.from({ length: 23 }, (_, i) => ({ key: `scope-${i}`, group: i % 4 === 0 ? 'b' : 'a' }));
  const a = assignScopes(scopes, 4);
  const b = assignScopes([...scopes].reverse(), 4);
  assert.deepEqual([...a].sort(), [...b].sort());
  assert.deepEqual([...assignScopes([...scopes, scopes[3]!], 4)].sort(), [...a].sort());
  assert.deepEqual([...assignScopes(scopes, 1).values()], new Array(23).fill(0));
});

test('stable: adding a List moves few others; one more shard moves about 1/n of them', () => {
  let moved = 0;
  let kept = 0;
  for (let t = 0; t < 100; t++) {
    const total = 2 + (t % 6);
    const scopes = Array.from({ length: 8 + (t % 30) }, (_, i) => ({ key: `t${t}-${i}`, group: i % 3 === 0 ? 'a' : 'b' }));
    const before = assignScopes(scopes, total);
    const after = assignScopes([...scopes, { key: `t${t}-new`, group: 'b' }], total);
    for (const s of scopes) before.get(s.key) === after.get(s.key) ? kept++ : moved++;
  }
  assert.ok(moved / (moved + kept) < 0.12, `moved ${moved} of ${moved + kept}`);
  let grown = 0;
  const scopes = Array.from({ length: 600 }, (_, i) => ({ key: `g-${i}`, group: 'a' }));
  const three = assignScopes(scopes, 3);
  const four = assignScopes(scopes, 4);
  for (const s of scopes) if (three.get(s.key) !== four.get(s.key)) grown++;
  assert.ok(grown / scopes.length < 0.4, `3 -> 4 shards moved ${grown} of 600`);
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
