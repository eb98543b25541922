// The shard count changes from 2 to 3 with the real daemon: ownership moves, and a change made
// before, during (while no pod runs) and after the change is notified exactly once across the
// shards. Pods 0 and 1 keep their state dirs (as a StatefulSet keeps its volumes); pod 2 starts
// with none. A resource a pod loses is dropped silently; one it gains and that changed during the
// handover is read in full and notified; one that changed before, when its old shard saw it, is
// not notified again. The layout is recorded in each state dir (shard-layout.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '../../src/dev/sim/server.js';
import { DAEMON_CREDS, metricSample, until } from '../helpers/daemon.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { exported, move, putShardFleet, startShard, type ShardProcess } from '../helpers/shard-fleet.js';

const LOOKBACK_S = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shard that exports each resource (several: a list). */
async function placement(shards: readonly ShardProcess[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const s of shards) for (const id of exported(await s.metrics()).keys()) out.set(id, [...(out.get(id) ?? []), s.index]);
  return out;
}

/** "id status" -> how many notifications, and the event ids seen for it. */
function notified(r: Receiver): Map<string, Set<string> & { count?: number }> {
  const out = new Map<string, Set<string> & { count?: number }>();
  for (const req of r.requests) {
    const b = JSON.parse(req.body) as { id: string; data: { arn: string; status: string } };
    const key = `${b.data.arn} ${b.data.status}`;
    const s = out.get(key) ?? Object.assign(new Set<string>(), { count: 0 });
    s.add(b.id);
    s.count = (s.count ?? 0) + 1;
    out.set(key, s);
  }
  return out;
}

test('2 -> 3 shards: changes before, during and after the change are each notified exactly once; lost resources dropped silently', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: DAEMON_CREDS });
  const receiver = await startReceiver();
  const fleet = putShardFleet(sim);
  const hookUrl = `${receiver.url}/hook`;
  const opts = { simUrl: sim.url, fleet, hookUrl, handoverLookback: `${LOOKBACK_S}s` };
  const everyone = () => [...fleet.ids.keys()];
  let shards: ShardProcess[] = [];
  const want = new Map<string, 'before' | 'during' | 'after'>();
  const moveAll = (rs: typeof fleet.moving, when: 'before' | 'during' | 'after') =>
    rs.forEach((r, i) => {
      const status = i % 4 === 1 ? 'CREATE_FAILED' : 'ACTIVE';
      move(sim, r, status);
      want.set(`${r.id} ${status}`, when);
    });
  const third = Math.floor(fleet.moving.length / 3);
  const [before, during, after] = [fleet.moving.slice(0, third), fleet.moving.slice(third, 2 * third), fleet.moving.slice(2 * third)];
  try {
    // Two shards watch the fleet; the first third of it changes and is notified.
    shards = [await startShard({ ...opts, index: 0, total: 2 }), await startShard({ ...opts, index: 1, total: 2 })];
    const full = async () => {
      const p = await placement(shards);
      return everyone().every((id) => p.get(id)?.length === 1);
    };
    await until(full, 'every resource on exactly one of 2 shards', 60_000);
    moveAll(before, 'before');
    await until(() => [...want.keys()].every((k) => notified(receiver).has(k)), 'the changes before', 45_000);
    // Sweeps go on past the lookback, then both stop: the next changes happen while no pod runs.
    await sleep((LOOKBACK_S + 2) * 1000);
    const was = await placement(shards);
    const [w0, w1] = [shards[0]!.w, shards[1]!.w];
    for (const s of shards) assert.equal(await s.daemon.kill(), 0);
    shards = [];
    moveAll(during, 'during');

    // Three shards: pods 0 and 1 on their own state dirs, pod 2 on a new one.
    shards = [
      await startShard({ ...opts, index: 0, total: 3 }, w0),
      await startShard({ ...opts, index: 1, total: 3 }, w1),
      await startShard({ ...opts, index: 2, total: 3 }),
    ];
    await until(full, 'every resource on exactly one of 3 shards', 60_000);
    await until(() => [...want.keys()].every((k) => notified(receiver).has(k)), 'the changes during the switch', 45_000);
    const now = await placement(shards);
    const moved = everyone().filter((id) => now.get(id)![0] !== was.get(id)![0]);
    assert.ok(moved.length >= 5, `ownership moved: ${moved.length} resources on another shard`);
    assert.ok(
      during.some((r) => moved.includes(r.id)) && before.some((r) => moved.includes(r.id)),
      'changes before and during the switch fell on resources that moved',
    );

    moveAll(after, 'after');
    await until(() => [...want.keys()].every((k) => notified(receiver).has(k)), 'the changes after', 45_000);
    await sleep(3_000); // more sweeps: nothing repeats

    const got = notified(receiver);
    for (const [k, when] of want) assert.equal(got.get(k)?.count, 1, `${when}: ${k} notified ${got.get(k)?.count ?? 0} times`);
    assert.deepEqual(
      [...got.keys()].filter((k) => !want.has(k)),
      [],
      'nothing else (no vanished, no repeat of an old status)',
    );
    const end = await placement(shards);
    for (const id of everyone()) assert.deepEqual(end.get(id)?.length, 1, `${id} on one shard`);

    // The layout is recorded, and the handover ends once the pods have the whole picture.
    await until(
      async () =>
        (await Promise.all(shards.map(async (s) => metricSample(await s.metrics(), 'cleanroomsml_monitor_shard_handover')))).every(
          (v) => v === 0,
        ),
      'handover over on every pod',
      15_000,
    );
    const record = JSON.parse(await readFile(join(w0.stateDir, 'shard-layout.json'), 'utf8')) as {
      total: number;
      index: number;
      handover?: unknown;
    };
    assert.equal(record.total, 3);
    assert.equal(record.index, 0);
    const layouts = await Promise.all(
      shards.map(async (s) => /cleanroomsml_monitor_shard_info\{[^}]*layout="([0-9a-f]+)"/.exec(await s.metrics())?.[1]),
    );
    assert.equal(new Set(layouts).size, 1, `every pod names the same layout: ${layouts.join(',')}`);
  } finally {
    for (const s of shards) await s.daemon.kill();
    await receiver.close();
    await sim.close();
  }
});

test('2 -> 3 shards as a StatefulSet rolls (pod 2 first, then 1, then 0, overlapping): no change lost; a repeat carries the same event id', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: DAEMON_CREDS });
  const receiver = await startReceiver();
  const fleet = putShardFleet(sim);
  const opts = { simUrl: sim.url, fleet, hookUrl: `${receiver.url}/hook`, handoverLookback: `${LOOKBACK_S}s` };
  const want = new Set<string>();
  const moveSome = (rs: typeof fleet.moving) =>
    rs.forEach((r) => {
      move(sim, r, 'ACTIVE');
      want.add(`${r.id} ACTIVE`);
    });
  const parts = [0, 1, 2, 3].map((k) => fleet.moving.filter((_, i) => i % 4 === k));
  let shards: ShardProcess[] = [];
  try {
    shards = [await startShard({ ...opts, index: 0, total: 2 }), await startShard({ ...opts, index: 1, total: 2 })];
    await until(async () => (await placement(shards)).size === fleet.ids.size, 'every resource watched by 2 shards', 60_000);
    moveSome(parts[0]!);
    await sleep(2_000);
    // The rollout: the new pod 2 first (the old pods still run), then pod 1 replaced, then pod 0.
    shards.push(await startShard({ ...opts, index: 2, total: 3 }));
    moveSome(parts[1]!);
    await sleep(2_000);
    const w1 = shards[1]!.w;
    await shards[1]!.daemon.kill();
    shards[1] = await startShard({ ...opts, index: 1, total: 3 }, w1);
    moveSome(parts[2]!);
    await sleep(2_000);
    const w0 = shards[0]!.w;
    await shards[0]!.daemon.kill();
    shards[0] = await startShard({ ...opts, index: 0, total: 3 }, w0);
    moveSome(parts[3]!);
    await until(() => [...want].every((k) => notified(receiver).has(k)), 'every change notified', 60_000);
    await sleep(3_000);
    const got = notified(receiver);
    for (const k of want) assert.equal(got.get(k)?.size, 1, `${k}: one event id (${[...(got.get(k) ?? [])].join(',')})`);
    assert.deepEqual(
      [...got.keys()].filter((k) => !want.has(k)),
      [],
      'nothing else',
    );
    const end = await placement(shards);
    for (const id of fleet.ids.keys()) assert.equal(end.get(id)?.length, 1, `${id} on one shard once the rollout is over`);
  } finally {
    for (const s of shards) await s.daemon.kill();
    await receiver.close();
    await sim.close();
  }
});
