import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  durationKey,
  isSlower,
  nearestRank,
  slowerThreshold,
  splitDurationKey,
  usualLookup,
  usualOf,
  type DurationSettings,
} from '../../src/kinds/usual.js';

const settings = (over: Partial<DurationSettings['slowerThanUsual']> = {}, samples = 100): DurationSettings => ({
  samples,
  slowerThanUsual: { factor: 2, minimum: 600_000, minSamples: 5, ...over },
});

describe('nearestRank', () => {
  it('is the ceil(q x n)-th smallest sample', () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(nearestRank(ten, 0.5), 5);
    assert.equal(nearestRank(ten, 0.9), 9);
    assert.equal(nearestRank(ten, 1), 10);
    // Not interpolated: always a duration a phase really took.
    assert.equal(nearestRank([10, 20], 0.5), 10);
    assert.equal(nearestRank([10, 20], 0.9), 20);
    assert.equal(nearestRank([10, 20, 30, 40, 50], 0.9), 50);
    assert.equal(nearestRank([10, 20, 30, 40, 50], 0.5), 30);
    assert.equal(nearestRank([7], 0.5), 7);
    assert.equal(nearestRank([7], 0.9), 7);
    assert.equal(nearestRank([], 0.5), undefined);
  });

  it('matches the textbook example (Wikipedia, nearest-rank method)', () => {
    // https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method: 15, 20, 35, 40, 50.
    const s = [15, 20, 35, 40, 50];
    assert.equal(nearestRank(s, 0.05), 15);
    assert.equal(nearestRank(s, 0.3), 20);
    assert.equal(nearestRank(s, 0.4), 20);
    assert.equal(nearestRank(s, 0.5), 35);
    assert.equal(nearestRank(s, 1), 50);
  });
});

describe('usualOf', () => {
  it('gives nothing before minSamples phases', () => {
    assert.equal(usualOf([1, 2, 3, 4], settings()), undefined);
    assert.deepEqual(usualOf([5, 1, 4, 2, 3], settings()), { p50Seconds: 3, p90Seconds: 5, samples: 5 });
    assert.equal(usualOf([], settings({ minSamples: 1 })), undefined);
  });

  it('takes the last `samples` phases, in any order', () => {
    // 100 old slow phases, then 10 fast ones: with samples 10 only the fast ones count.
    const seconds = [...Array.from({ length: 100 }, () => 3600), ...Array.from({ length: 10 }, (_, i) => 60 + i)];
    assert.deepEqual(usualOf(seconds, settings({}, 10)), { p50Seconds: 64, p90Seconds: 68, samples: 10 });
    assert.deepEqual(usualOf(seconds, settings({}, 1000))?.samples, 110);
    assert.equal(usualOf(seconds, settings({}, 1000))?.p50Seconds, 3600);
  });
});

describe('slower than usual', () => {
  const usual = { p50Seconds: 300, p90Seconds: 600, samples: 20 };

  it('the threshold is max(factor x p90, minimum)', () => {
    assert.equal(slowerThreshold(usual, settings()), 1200);
    assert.equal(slowerThreshold(usual, settings({ minimum: 3_600_000 })), 3600);
    assert.equal(slowerThreshold(usual, settings({ factor: 1.5, minimum: 1000 })), 900);
  });

  it('only under-way statuses, only with a usual, only past the threshold', () => {
    const now = 10_000_000;
    const s = settings();
    assert.equal(isSlower('CREATE_IN_PROGRESS', now - 1_200_000, now, usual, s), false, 'exactly at the threshold');
    assert.equal(isSlower('CREATE_IN_PROGRESS', now - 1_201_000, now, usual, s), true);
    assert.equal(isSlower('DELETE_PENDING', now - 5_000_000, now, usual, s), true);
    assert.equal(isSlower('ACTIVE', now - 5_000_000, now, usual, s), false, 'at rest');
    assert.equal(isSlower('CREATE_FAILED', now - 5_000_000, now, usual, s), false, 'a failure');
    assert.equal(isSlower('CREATE_IN_PROGRESS', now - 5_000_000, now, undefined, s), false, 'no usual yet');
    // AWS's clock ahead of ours: never slow.
    assert.equal(isSlower('CREATE_IN_PROGRESS', now + 60_000, now, usual, s), false);
  });
});

describe('usualLookup', () => {
  it('reads the samples of each kind and status once', () => {
    const samples = new Map([[durationKey('trainedModel', 'CREATE_IN_PROGRESS'), [10, 20, 30, 40, 50]]]);
    let reads = 0;
    const counting = new Map(samples);
    const get = counting.get.bind(counting);
    counting.get = (k) => {
      reads++;
      return get(k);
    };
    const lookup = usualLookup(counting, settings());
    assert.deepEqual(lookup('trainedModel', 'CREATE_IN_PROGRESS'), { p50Seconds: 30, p90Seconds: 50, samples: 5 });
    assert.deepEqual(lookup('trainedModel', 'CREATE_IN_PROGRESS'), { p50Seconds: 30, p90Seconds: 50, samples: 5 });
    assert.equal(lookup('trainedModel', 'CREATE_PENDING'), undefined);
    assert.equal(lookup('trainedModel', 'CREATE_PENDING'), undefined);
    assert.equal(reads, 2);
  });

  it('keys split back into kind and status', () => {
    assert.deepEqual(splitDurationKey(durationKey('mlInputChannel', 'CREATE_IN_PROGRESS')), {
      kind: 'mlInputChannel',
      status: 'CREATE_IN_PROGRESS',
    });
  });
});
