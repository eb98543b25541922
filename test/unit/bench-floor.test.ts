import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floorPerSweep, listPagesNeeded, perParentShare } from '../../bench/floor.js';

test('listPagesNeeded: ceil(items / 100), at least one call for an empty scope', () => {
  assert.equal(listPagesNeeded(0), 1);
  assert.equal(listPagesNeeded(1), 1);
  assert.equal(listPagesNeeded(100), 1);
  assert.equal(listPagesNeeded(101), 2);
  assert.equal(listPagesNeeded(200), 2);
  assert.equal(listPagesNeeded(10_000), 100);
  assert.throws(() => listPagesNeeded(-1), /whole number/);
  assert.throws(() => listPagesNeeded(1.5), /whole number/);
});

test('floorPerSweep: pages per scope plus one Get per change of a kind with a Get, none for kinds without', () => {
  const scopes = [
    { operation: 'ListTrainedModelInferenceJobs', items: 200 },
    { operation: 'ListMLInputChannels', items: 100 },
    { operation: 'ListAudienceModels', items: 0 },
  ];
  const f = floorPerSweep(
    [scopes, scopes],
    [
      { getOperation: 'GetTrainedModelInferenceJob', changes: 10 },
      { getOperation: undefined, changes: 4 }, // export jobs: read from their List
      { getOperation: 'GetMLInputChannel', changes: 0 },
    ],
    5,
  );
  assert.equal(f.list, 4);
  assert.equal(f.get, 2);
  assert.equal(f.total, 6);
  assert.deepEqual(f.byOperation, {
    ListTrainedModelInferenceJobs: 2,
    ListMLInputChannels: 1,
    ListAudienceModels: 1,
    GetTrainedModelInferenceJob: 2,
  });
});

test('floorPerSweep: one Get per tagged resource per tags.refreshInterval, on top of the changes', () => {
  const f = floorPerSweep([[{ operation: 'ListMLInputChannels', items: 100 }]], [{ getOperation: 'GetMLInputChannel', changes: 3 }], 3, [
    { getOperation: 'GetMLInputChannel', resources: 100, share: 30 / 3600 },
  ]);
  assert.equal(f.get.toFixed(4), (1 + 100 / 120).toFixed(4));
  assert.equal(f.byOperation['GetMLInputChannel']!.toFixed(4), (1 + 100 / 120).toFixed(4));
  assert.throws(() => floorPerSweep([[]], [], 1, [{ getOperation: 'G', resources: 1, share: 2 }]), /within 0\.\.1/);
});

test('floorPerSweep: scopes averaged over the sweeps, shares counted in part', () => {
  const f = floorPerSweep(
    [
      [{ operation: 'L', items: 5 }],
      [
        { operation: 'L', items: 5 },
        { operation: 'E', items: 1, share: 0.5 },
      ],
    ],
    [],
    2,
  );
  assert.equal(f.list, 1.25);
  assert.deepEqual(f.byOperation, { L: 1, E: 0.25 });
  assert.throws(() => floorPerSweep([[{ operation: 'L', items: 1, share: 2 }]], [], 1), /share of L/);
  assert.throws(() => floorPerSweep([], [], 1), /at least one sweep/);
  assert.throws(() => floorPerSweep([[]], [], 0), /sweeps must be > 0/);
});

test('perParentShare: every sweep while a child is unfinished or the parent changed within the terminal interval, else once per terminal interval', () => {
  const I = 10_000;
  const T = 600_000;
  const quiet = { updates: [0], unfinished: [] };
  const share = (h: Parameters<typeof perParentShare>[0], tick: number) => perParentShare(h, tick, I, T);
  assert.deepEqual(share(quiet, 1_000_000), { share: I / T, why: 'quiet' });
  // Changed 100 s before the previous sweep: listed every sweep.
  assert.deepEqual(share({ updates: [0, 900_000], unfinished: [] }, 1_000_000), { share: 1, why: 'changed' });
  // A change after the previous sweep is not known yet: that sweep still treats the parent as quiet.
  assert.deepEqual(share({ updates: [0, 995_000], unfinished: [] }, 1_000_000), { share: I / T, why: 'quiet' });
  // Until a full terminal interval has passed since the change.
  assert.equal(share({ updates: [400_001], unfinished: [] }, 1_000_000).why, 'changed');
  assert.equal(share({ updates: [400_000], unfinished: [] }, 1_000_000).why, 'quiet');
  // A child unfinished when the previous sweep ran; it counts before a change of the parent.
  assert.deepEqual(share({ updates: [0], unfinished: [[980_000, 1_050_000]] }, 1_000_000), { share: 1, why: 'unfinished' });
  assert.deepEqual(share({ updates: [985_000], unfinished: [[-Infinity, 995_000]] }, 1_000_000), { share: 1, why: 'unfinished' });
  assert.equal(share({ updates: [0], unfinished: [[980_000, 985_000]] }, 1_000_000).why, 'quiet');
  assert.throws(() => perParentShare(quiet, 0, 0, T), /intervalMs/);
});
