// The scheduler on fake time: a fake wall clock, monotonic clock, timers and cron task. A wall-clock
// step re-anchors the cron task; a silent schedule is covered by the watchdog. No sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardPhaseMs, startScheduler, type CronTask } from '../../src/poll/scheduler.js';
import type { Timers } from '../../src/clock.js';

function fakeWorld() {
  const w = { wall: Date.parse('2026-12-01T00:00:00.000Z'), mono: 1_000 };
  const intervals = new Map<number, { fn: () => void; ms: number }>();
  let id = 0;
  const timers: Timers = {
    setTimeout: () => ++id,
    clearTimeout: () => {},
    setInterval: (fn, ms) => {
      intervals.set(++id, { fn, ms });
      return id;
    },
    clearInterval: (h) => void intervals.delete(h as number),
  };
  const cronCalls: string[] = [];
  let tick: () => void = () => {};
  const task: CronTask = {
    start: () => void cronCalls.push('start'),
    stop: () => void cronCalls.push('stop'),
    getNextRun: () => new Date(w.wall + 30_000),
  };
  const warnings: string[] = [];
  const sweeps: number[] = [];
  const s = startScheduler({
    schedule: '*/30 * * * * *',
    runAtStart: false,
    maxGapMs: 30_000,
    sweep: async () => void sweeps.push(w.mono),
    onSkip: () => {},
    log: { warn: (_o, m) => void warnings.push(m) },
    time: { wall: () => w.wall, mono: () => w.mono, timers },
    cron: (_expr, onTick) => {
      tick = onTick;
      return task;
    },
  });
  /** Let `ms` of real time pass: both clocks move, the watchdog interval fires once. */
  const pass = async (ms: number, wallStep = 0) => {
    w.mono += ms;
    w.wall += ms + wallStep;
    for (const { fn } of intervals.values()) fn();
    await new Promise((r) => setImmediate(r));
  };
  return { w, s, intervals, cronCalls, warnings, sweeps, pass, tick: () => tick() };
}

test('the watchdog checks every 10 s at most; a wall clock stepped back an hour re-anchors the cron task once', async () => {
  const f = fakeWorld();
  assert.deepEqual(
    [...f.intervals.values()].map((i) => i.ms),
    [10_000],
  );
  f.tick(); // a normal scheduled sweep
  await f.pass(10_000);
  assert.deepEqual(f.cronCalls, [], 'no step, no re-anchoring');
  await f.pass(10_000, -3_600_000);
  assert.deepEqual(f.cronCalls, ['stop', 'start'], 'restarted: node-cron recomputes its next slot from the new wall time');
  assert.ok(f.warnings.some((m) => /wall clock stepped/.test(m)));
  await f.pass(10_000);
  assert.deepEqual(f.cronCalls, ['stop', 'start'], 'the new offset is the reference from then on');
  await f.s.stop(1000);
  assert.equal(f.intervals.size, 0, 'the watchdog is gone after stop');
});

test('small steps (NTP slewing, under half an interval) do not re-anchor; a forward step does', async () => {
  const f = fakeWorld();
  await f.pass(10_000, 900);
  await f.pass(10_000, 14_000);
  assert.deepEqual(f.cronCalls, []);
  await f.pass(10_000, 3_600_000);
  assert.deepEqual(f.cronCalls, ['stop', 'start']);
  await f.s.stop(1000);
});

test('no sweep for two intervals (cron waiting for an old slot): the watchdog sweeps on the monotonic clock', async () => {
  const f = fakeWorld();
  f.tick();
  await new Promise((r) => setImmediate(r));
  assert.equal(f.sweeps.length, 1);
  await f.pass(10_000);
  await f.pass(10_000);
  await f.pass(10_000);
  assert.equal(f.sweeps.length, 1, 'under two intervals: nothing');
  await f.pass(30_001);
  assert.equal(f.sweeps.length, 2, 'the watchdog swept');
  assert.ok(f.warnings.some((m) => /no scheduled sweep for two intervals/.test(m)));
  assert.equal(f.s.nextRunAt(), f.w.wall + 30_000);
  await f.s.stop(1000);
  assert.equal(f.s.nextRunAt(), undefined);
});

test("shards spread their sweeps over the interval: a tick sweeps after the shard's phase, stop() cancels a pending one", async () => {
  assert.equal(shardPhaseMs(undefined, 30_000), 0);
  assert.equal(shardPhaseMs({ index: 0, total: 4 }, 30_000), 0);
  assert.deepEqual(
    [1, 2, 3].map((index) => shardPhaseMs({ index, total: 4 }, 30_000)),
    [7_500, 15_000, 22_500],
  );
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let id = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.set(++id, { fn, ms });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    setInterval: () => ++id,
    clearInterval: () => {},
  };
  let tick: () => void = () => {};
  const sweeps: string[] = [];
  const wall = Date.parse('2026-12-01T00:00:00.000Z');
  const s = startScheduler({
    schedule: '*/30 * * * * *',
    runAtStart: false,
    phaseMs: 7_500,
    sweep: async () => void sweeps.push('sweep'),
    onSkip: () => {},
    time: { wall: () => wall, mono: () => 0, timers },
    cron: (_e, onTick) => {
      tick = onTick;
      return { start: () => {}, stop: () => {}, getNextRun: () => new Date(wall + 30_000) };
    },
  });
  assert.equal(s.nextRunAt(), wall + 30_000 + 7_500, 'the next sweep: the next tick plus the phase');
  tick();
  assert.deepEqual(sweeps, [], 'not at the tick');
  assert.deepEqual(
    [...pending.values()].map((p) => p.ms),
    [7_500],
  );
  const [first, due] = [...pending][0]!;
  pending.delete(first);
  due.fn();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sweeps, ['sweep'], 'after the phase');
  tick();
  await s.stop(1_000);
  assert.equal(pending.size, 0, 'a sweep waiting for its phase is cancelled by stop()');
  assert.deepEqual(sweeps, ['sweep']);
});
