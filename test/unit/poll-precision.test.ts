// Timestamps compared at the precision both answers carry: a List that writes whole seconds and a
// Get that writes milliseconds name the same update; a List that shows milliseconds once is read
// at milliseconds from then on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atOrAfter, sameTime, timePrecisionMs } from '../../src/poll/precision.js';
import { ResourceTracker } from '../../src/poll/tracker.js';

const T = Date.parse('2026-11-28T12:00:00.000Z');

test('timePrecisionMs: the coarsest step every value is a multiple of', () => {
  assert.equal(timePrecisionMs([T, T + 5000, T - 60_000]), 1000, 'whole seconds');
  assert.equal(timePrecisionMs([T + 100, T + 2300]), 100);
  assert.equal(timePrecisionMs([T + 120, T]), 10);
  assert.equal(timePrecisionMs([T, T + 1000, T + 123]), 1, 'one value with milliseconds settles it');
  assert.equal(timePrecisionMs([]), 1, 'no values: compare exactly');
});

test('sameTime: equal once both are cut to the precision', () => {
  const get = T + 734; // 12:00:00.734Z from a Get
  assert.equal(sameTime(T, get, 1000), true, 'the List says 12:00:00Z: the same update');
  assert.equal(sameTime(T + 1000, get, 1000), false, 'a later second is a later update');
  assert.equal(sameTime(T - 1000, get, 1000), false);
  assert.equal(sameTime(T, get, 1), false, 'at ms precision they differ');
  assert.equal(sameTime(get, get, 1), true);
  assert.equal(sameTime(T + 700, get, 100), true);
  assert.equal(sameTime(T + 800, get, 100), false);
});

test('atOrAfter: a value cut to seconds stands for any millisecond of its second', () => {
  assert.equal(atOrAfter(T, T + 400, 1000), true, '12:00:00Z may be 12:00:00.400Z or later');
  assert.equal(atOrAfter(T - 1000, T + 400, 1000), false);
  assert.equal(atOrAfter(T, T + 400, 1), false);
  assert.equal(atOrAfter(T + 400, T + 400, 1), true);
});

test('the tracker keeps the finest precision each List operation has shown', () => {
  const t = new ResourceTracker();
  assert.equal(t.timePrecision('ListAudienceGenerationJobs'), 1, 'unknown yet: exact');
  assert.equal(t.timePrecision('ListAudienceGenerationJobs', 1000), 1000);
  assert.equal(t.timePrecision('ListAudienceGenerationJobs', 1), 1, 'a millisecond value: milliseconds');
  assert.equal(t.timePrecision('ListAudienceGenerationJobs', 1000), 1, 'a later page of whole seconds is chance');
  assert.equal(t.timePrecision('ListTrainedModels', 1000), 1000, 'per operation');
});
